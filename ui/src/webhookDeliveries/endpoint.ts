// What the console expects of /api/v1/webhooks/deliveries (model atrium/models/webhook.py):
//   GET /api/v1/webhooks/deliveries?source=&outcome=&offset=&limit= -> WebhookDeliveryPublic[], newest first
import type { Endpoint } from "../endpoint";

export const endpoint: Endpoint = {
  path: "/api/v1/webhooks/deliveries",
  id: "id",
  paging: "offset",
  filters: { source: "source", outcome: "outcome" },
};

export const OUTCOMES = ["started", "queued", "signalled", "duplicate", "rejected", "unrouted", "error"];
// What the dashboard counts as a failing webhook delivery.
export const FAILING = ["rejected", "error"];
