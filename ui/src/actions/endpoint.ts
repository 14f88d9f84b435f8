// /api/v1/actions (api/routes/actions.py): the connector action catalog, a plain array of
// {name, system, summary, effect, idempotent, idempotency_key, input_schema, output_schema};
// ?system= and ?effect= filter it; GET /api/v1/actions/{name} reads one.
import type { Endpoint } from "../endpoint";
import type { JsonSchema } from "../processes/endpoint";

export const endpoint: Endpoint = {
  path: "/api/v1/actions",
  id: "name",
  paging: "none",
  filters: { system: "system", effect: "effect" },
};

export const EFFECTS = ["read", "write", "destructive"] as const;
export type Effect = (typeof EFFECTS)[number];

export interface Action {
  id: string;
  name: string;
  system: string;
  summary: string;
  effect: Effect;
  idempotent: boolean;
  idempotency_key: string | null;
  input_schema: JsonSchema;
  output_schema: JsonSchema | null;
}
