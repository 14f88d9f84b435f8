// What the console expects of /api/v1/integrations (api/routes/integrations.py).
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/integrations",
  id: "name",
  paging: "offset",
  create: { fields: ["name", "system", "base_url", "health_path", "description", "enabled"] },
  update: { method: "PATCH", fields: ["base_url", "health_path", "description", "enabled"] },
};

export const SYSTEMS = ["oneroster", "canvas", "moodle", "koha", "finance", "proctoring", "comms", "generic"];

export interface SecretMeta {
  integration: string;
  version: number;
  fields: string[];
  updated_at: string | null;
}

export interface HealthCheck {
  healthy: boolean;
  status_code: number | null;
  latency_ms: number | null;
  detail: string;
  checked_at: string;
}

const item = (name: string) => `${endpoint.path}/${encodeURIComponent(name)}`;

export const integrationActions = {
  // Write-only: the answer carries the version and field names, never a value.
  rotateSecret: (name: string, values: Record<string, string>) =>
    request<SecretMeta>(`${item(name)}/secret`, { method: "PUT", json: { values } }),
  secretMeta: (name: string) => request<SecretMeta>(`${item(name)}/secret`),
  healthHistory: (name: string, limit = 10) =>
    request<HealthCheck[]>(`${item(name)}/health`, { query: { limit } }),
  startHealthCheck: (name: string) =>
    request<{ workflow_id: string; run_id: string | null }>(`${item(name)}/health-check`, { method: "POST" }),
};
