// What the console expects of the alerts API (api/routes/alerts.py; model atrium/models/alerts.py):
//   GET /api/v1/alerts?status=&rule_id=&offset=&limit= -> AlertPublic[] (newest first)
//   GET /api/v1/alerts/{id} -> AlertPublic + deliveries[]
//   POST /api/v1/alerts/{id}/acknowledge | /resolve {note} -> AlertPublic
//   GET/POST /api/v1/alert-rules, GET/PATCH/DELETE /api/v1/alert-rules/{id}
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/alerts",
  id: "id",
  paging: "offset",
  filters: { status: "status", rule_id: "rule_id" },
};

const RULE_FIELDS = [
  "kind", "description", "enabled", "target", "figure", "threshold", "window_minutes",
  "comms_integration", "email_to", "chat", "publish_event", "min_severity",
];

export const rulesEndpoint: Endpoint = {
  path: "/api/v1/alert-rules",
  id: "id",
  paging: "offset",
  filters: { rule_set: "rule_set" },
  create: { fields: ["name", "rule_set", ...RULE_FIELDS] },
  update: { method: "PATCH", fields: RULE_FIELDS },
};

export const RULE_KINDS = ["health_down", "threshold", "absence", "sla_breach", "security_event"];
export const MIN_SEVERITIES = ["low", "medium", "high"]; // a security_event rule's
export const FIGURES = ["quarantine_size", "dead_letters", "failed_runs"];

const act = (id: string | number, action: "acknowledge" | "resolve", note: string) =>
  request<Record<string, unknown>>(`${endpoint.path}/${encodeURIComponent(String(id))}/${action}`, {
    method: "POST",
    json: { note },
  });

export const alertActions = {
  acknowledgeAlert: (id: string | number, note = "") => act(id, "acknowledge", note),
  resolveAlert: (id: string | number, note = "") => act(id, "resolve", note),
};
