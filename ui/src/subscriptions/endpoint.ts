// What the console expects of /api/v1/subscriptions (model atrium/models/subscription.py):
//   GET /api/v1/subscriptions -> SubscriptionPublic[] (plain array, unpaged)
//   POST -> SubscriptionCreated (its signing `secret` shown once)
//   GET/PATCH/DELETE /api/v1/subscriptions/{id}
//   POST /{id}/rotate-secret -> SubscriptionCreated with the new `secret`, shown once
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/subscriptions",
  id: "id",
  paging: "none",
  create: { fields: ["url", "event_types", "description", "active"] },
  update: { method: "PATCH", fields: ["url", "event_types", "description", "active"] },
};

export const EVENT_TYPES = [
  "run.started", "run.completed", "run.failed", "conflict.raised", "record.synced",
  "integration.unhealthy", "integration.recovered", "alert.firing", "alert.resolved",
];

export const subscriptionActions = {
  rotateSubscriptionSecret: (id: string | number) =>
    request<{ id: number; secret: string }>(`${endpoint.path}/${encodeURIComponent(String(id))}/rotate-secret`, { method: "POST" }),
};
