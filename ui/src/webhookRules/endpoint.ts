// /api/v1/webhooks/rules (api/routes/webhooks.py): a plain array (?source=), no GET of one rule
// (read from the list); POST; PATCH/DELETE /{id}.
import type { Endpoint } from "../endpoint";

export const endpoint: Endpoint = {
  path: "/api/v1/webhooks/rules",
  id: "id",
  noItemRoute: true,
  paging: "none",
  filters: { source: "source" },
  create: { fields: ["source", "event_type", "process", "input_mapping", "description", "enabled"] },
  update: { method: "PATCH", fields: ["process", "input_mapping", "description", "enabled"] },
};
