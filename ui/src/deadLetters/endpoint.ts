// Dead letters of outbound events (api/routes/subscriptions.py):
//   GET  /api/v1/subscriptions/dead-letters?status=&subscription_id=&offset=&limit= -> DeadLetterPublic[]
//   POST /api/v1/subscriptions/dead-letters/{id}/redeliver -> 202 {dead_letter_id, workflow_id, status}
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/subscriptions/dead-letters",
  noItemRoute: true,
  id: "id",
  paging: "offset",
  filters: { status: "status", subscription_id: "subscription_id" },
};

export const deadLetterActions = {
  redeliver: (id: string | number) =>
    request<unknown>(`${endpoint.path}/${encodeURIComponent(String(id))}/redeliver`, { method: "POST" }),
};
