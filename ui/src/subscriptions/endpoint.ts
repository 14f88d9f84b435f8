// What the console expects of /api/v1/subscriptions (model atrium/models/subscription.py):
//   GET /api/v1/subscriptions -> SubscriptionPublic[] (plain array, unpaged)
//   POST -> SubscriptionCreated (its signing `secret` shown once)
//   GET/PATCH/DELETE /api/v1/subscriptions/{id}
import type { Endpoint } from "../endpoint";

export const endpoint: Endpoint = {
  path: "/api/v1/subscriptions",
  id: "id",
  paging: "none",
  create: { fields: ["url", "event_types", "description", "active"] },
  update: { method: "PATCH", fields: ["url", "event_types", "description", "active"] },
};

export const EVENT_TYPES = ["run.started", "run.completed", "run.failed", "conflict.raised", "record.synced"];
