// An action's input JSON schema (pydantic's model_json_schema()) read as a flat list of fields a
// person can scan: nested models are spelled out with dotted names (`new.sis_user_id`).
import type { JsonSchema } from "../processes/endpoint";

export interface SchemaField {
  name: string;
  type: string;
  required: boolean;
  description?: string;
}

function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    return deref({ ...root.$defs?.[name], ...schema, $ref: undefined }, root);
  }
  if (schema.allOf?.length === 1) return deref({ ...schema.allOf[0], ...schema, allOf: undefined }, root);
  return schema;
}

// "string", "integer | string", "list of string", "NewUser", "one of a, b"; `| null` is left out
// (a field that may be null is simply not required).
export function typeName(schema: JsonSchema, root: JsonSchema): string {
  const resolved = deref(schema, root);
  if (resolved.enum) return `one of ${resolved.enum.map(String).join(", ")}`;
  if (resolved.const !== undefined) return JSON.stringify(resolved.const);
  if (resolved.anyOf) {
    const names = resolved.anyOf.filter((s) => s.type !== "null").map((s) => typeName(s, root));
    return [...new Set(names)].join(" | ") || "null";
  }
  if (resolved.type === "array") return resolved.items ? `list of ${typeName(resolved.items, root)}` : "list";
  if (resolved.format === "date-time") return "date-time";
  if (Array.isArray(resolved.type)) return resolved.type.filter((t) => t !== "null").join(" | ");
  if (resolved.type === "object" && resolved.properties && resolved.title) return resolved.title;
  return resolved.type ?? "any";
}

// The object a property stands for, when it is one with named fields (a nested model).
function nested(schema: JsonSchema, root: JsonSchema): JsonSchema | null {
  const resolved = deref(schema, root);
  const concrete = resolved.anyOf?.filter((s) => s.type !== "null");
  const object = concrete?.length === 1 ? deref(concrete[0], root) : resolved;
  return object.type === "object" && object.properties ? object : null;
}

export function inputFields(schema: JsonSchema | null | undefined, root?: JsonSchema, prefix = ""): SchemaField[] {
  if (!schema) return [];
  const top = root ?? schema;
  const object = deref(schema, top);
  const fields: SchemaField[] = [];
  for (const [name, property] of Object.entries(object.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const resolved = deref(property, top);
    fields.push({
      name: path,
      type: typeName(property, top),
      required: object.required?.includes(name) ?? false,
      description: resolved.description,
    });
    const inner = nested(property, top);
    if (inner) fields.push(...inputFields(inner, top, path));
  }
  return fields;
}
