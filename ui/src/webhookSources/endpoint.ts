// /api/v1/webhooks/sources (api/routes/webhooks.py): a plain array; no GET of one source (read
// from the list); POST -> WebhookSourceCreated with `secret` shown once when Atrium generated it;
// PATCH/DELETE /{name}; POST /{name}/rotate-secret -> the new secret, shown once.
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/webhooks/sources",
  id: "name",
  noItemRoute: true,
  paging: "none",
  create: { fields: ["name", "scheme", "tolerance_seconds", "event_type_path", "event_id_path", "description", "enabled"] },
  update: { method: "PATCH", fields: ["scheme", "tolerance_seconds", "description", "enabled"] },
};

export const SCHEMES = [{ id: "atrium", name: "atrium (Atrium-Signature)" }, { id: "github", name: "github (X-Hub-Signature-256)" }];

export const webhookSourceActions = {
  rotateSourceSecret: (name: string) =>
    request<{ name: string; secret?: string }>(`${endpoint.path}/${encodeURIComponent(name)}/rotate-secret`, { method: "POST" }),
};
