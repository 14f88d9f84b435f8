// An action step's arguments as one text per field of the action's input schema: a literal value
// (kept in `input`), or, starting with "=", a JMESPath expression computed at run time (`bind`).
import type { SchemaField } from "../actions/fields";
import type { Step } from "./endpoint";

function get(target: unknown, path: string): unknown {
  let value = target;
  for (const key of path.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function without(target: Record<string, unknown>, path: string): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (!(head in target)) return target;
  const copy = { ...target };
  if (rest.length === 0) {
    delete copy[head];
  } else if (copy[head] && typeof copy[head] === "object") {
    copy[head] = without(copy[head] as Record<string, unknown>, rest.join("."));
    if (Object.keys(copy[head] as object).length === 0) delete copy[head];
  }
  return copy;
}

function withValue(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) return { ...target, [head]: value };
  const inner = target[head] && typeof target[head] === "object" ? (target[head] as Record<string, unknown>) : {};
  return { ...target, [head]: withValue(inner, rest.join("."), value) };
}

// Only the fields a person types into: a nested model's own fields, not the model itself.
export const leaves = (fields: SchemaField[]) => fields.filter((f) => !fields.some((g) => g.name.startsWith(`${f.name}.`)));

export function argumentText(step: Step, path: string): string {
  const bind = (step.bind as Record<string, string>) ?? {};
  if (path in bind) return `=${bind[path]}`;
  const literal = get(step.input, path);
  if (literal === undefined || literal === null) return "";
  return typeof literal === "string" ? literal : JSON.stringify(literal);
}

function literal(text: string, type: string): unknown {
  if (type === "integer" || type === "number") return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (type.startsWith("list") || /^[A-Z]/.test(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function withArgument(step: Step, field: SchemaField, text: string): Step {
  const bind = { ...((step.bind as Record<string, string>) ?? {}) };
  delete bind[field.name];
  let input = without((step.input as Record<string, unknown>) ?? {}, field.name);
  if (text.startsWith("=")) bind[field.name] = text.slice(1).trim();
  else if (text !== "") input = withValue(input, field.name, literal(text, field.type));
  return { ...step, input, bind };
}
