// /api/v1/processes (api/routes/processes.py): a plain array of {name, description, workflow_type,
// input_schema} where input_schema is the JSON schema (pydantic) the start form is generated from.
import type { Endpoint } from "../endpoint";

export const endpoint: Endpoint = { path: "/api/v1/processes", id: "name", paging: "none" };

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  additionalProperties?: boolean | JsonSchema;
  $defs?: Record<string, JsonSchema>;
}

export interface Process {
  id: string;
  name: string;
  description: string;
  workflow_type: string;
  input_schema: JsonSchema;
}
