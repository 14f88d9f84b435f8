// What the console expects of the security events API (api/routes/security_events.py; model
// atrium/models/security_event.py):
//   GET /api/v1/security/events?kind=&severity=&subject=&acknowledged=&offset=&limit=
//     -> SecurityEventPublic[] (newest first; no route for one event: read from the list)
//   POST /api/v1/security/events/{id}/acknowledge -> SecurityEventPublic (security:manage)
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/security/events",
  id: "id",
  noItemRoute: true,
  paging: "offset",
  filters: { kind: "kind", severity: "severity", subject: "subject", acknowledged: "acknowledged" },
};

export type EventSeverity = "high" | "medium" | "low";
export const EVENT_SEVERITIES: EventSeverity[] = ["high", "medium", "low"];

export const securityEventActions = {
  acknowledgeSecurityEvent: (id: string | number) =>
    request<Record<string, unknown>>(`${endpoint.path}/${encodeURIComponent(String(id))}/acknowledge`, {
      method: "POST",
    }),
};
