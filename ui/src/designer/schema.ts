// Reading the definition's JSON Schema (GET /api/v1/process-definitions/schema) for the forms:
// which model a step type is, and what kind of input each of its fields needs.
import type { JsonSchema } from "../processes/endpoint";

export const STEP_ID_PATTERN = "^[a-z][a-z0-9_]{0,62}$";

export type FieldKind =
  | { kind: "step" } // a route to another step
  | { kind: "steps" } // a list of step ids (parallel branches)
  | { kind: "choice"; choices: string[] }
  | { kind: "number"; integer: boolean }
  | { kind: "boolean" }
  | { kind: "text"; long: boolean }
  | { kind: "list" } // a list of short strings (an approval's form fields)
  | { kind: "pairs" } // name -> expression (transform's set, end's output, headers)
  | { kind: "json" }
  | { kind: "fixed" }; // the type tag

export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    return deref({ ...root.$defs?.[name], ...schema, $ref: undefined }, root);
  }
  return schema;
}

// The field's schema without `| null`, and whether null is allowed.
// `inner` is the type itself, before the field's own title and description are laid over it.
export function concrete(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; inner: JsonSchema; nullable: boolean } {
  const resolved = deref(schema, root);
  if (resolved.anyOf) {
    const others = resolved.anyOf.filter((s) => s.type !== "null");
    if (others.length === 1) {
      const inner = deref(others[0], root);
      return { schema: { ...inner, title: resolved.title, description: resolved.description ?? inner.description }, inner, nullable: true };
    }
  }
  return { schema: resolved, inner: resolved, nullable: false };
}

const isStepId = (s: JsonSchema | undefined) => s?.type === "string" && s.pattern === STEP_ID_PATTERN && s.description === "a step's id";

export function kindOf(property: JsonSchema, root: JsonSchema): FieldKind {
  const { schema, inner } = concrete(property, root);
  if (schema.const !== undefined) return { kind: "fixed" };
  if (isStepId(inner)) return { kind: "step" };
  if (schema.enum) return { kind: "choice", choices: schema.enum.map(String) };
  if (schema.type === "integer" || schema.type === "number") return { kind: "number", integer: schema.type === "integer" };
  if (schema.type === "boolean") return { kind: "boolean" };
  if (schema.type === "string") return { kind: "text", long: (schema.maxLength ?? 0) >= 1000 };
  if (schema.type === "array") {
    const items = schema.items ? deref(schema.items, root) : undefined;
    if (isStepId(items)) return { kind: "steps" };
    if (items?.type === "string") return { kind: "list" };
    return { kind: "json" };
  }
  if (schema.type === "object") {
    const values = Object.values((schema as { patternProperties?: Record<string, JsonSchema> }).patternProperties ?? {});
    const extra = typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : [];
    const all = [...values, ...extra];
    if (all.length > 0 && all.every((v) => v.type === "string")) return { kind: "pairs" };
  }
  return { kind: "json" };
}

// The fields every step has, shown after the type's own (routes) or folded away (the rest).
export const COMMON_ROUTES = ["next", "on_error", "compensate"];
export const COMMON_OTHER = ["timeout_seconds", "retry"];
export const HEADER = ["id", "name", "type"];
