// The routes between steps, read the way atrium/designer/definition.py's `targets` and `subflows`
// read them: within a flow (next, branches of a condition, switch or approval, on_error) and into
// sub-flows (parallel branches, a for-each body, a compensation).
import type { Definition, Step } from "./endpoint";

export type RouteKind = "next" | "branch" | "error" | "subflow";

export interface Route {
  field: string; // the step's field holding the target: "then", "cases[0].goto", "branches[1]"
  target: string;
  label: string;
  kind: RouteKind;
}

const BRANCH_LABELS: Record<string, string> = {
  then: "then",
  otherwise: "otherwise",
  default: "default",
  on_approved: "approved",
  on_rejected: "rejected",
};

export const ROUTE_FIELDS = ["next", "on_error", ...Object.keys(BRANCH_LABELS)];

export function routes(step: Step): Route[] {
  const found: Route[] = [];
  const at = (field: string) => (typeof step[field] === "string" && step[field] ? (step[field] as string) : null);
  const next = at("next");
  if (next) found.push({ field: "next", target: next, label: "", kind: "next" });
  for (const [field, label] of Object.entries(BRANCH_LABELS)) {
    const target = at(field);
    if (target) found.push({ field, target, label, kind: "branch" });
  }
  const cases = Array.isArray(step.cases) ? (step.cases as { equals?: unknown; goto?: string }[]) : [];
  cases.forEach((c, i) => {
    if (c?.goto) found.push({ field: `cases[${i}].goto`, target: c.goto, label: `= ${JSON.stringify(c.equals)}`, kind: "branch" });
  });
  const onError = at("on_error");
  if (onError) found.push({ field: "on_error", target: onError, label: "on error", kind: "error" });
  const branches = Array.isArray(step.branches) ? (step.branches as string[]) : [];
  branches.forEach((b, i) => b && found.push({ field: `branches[${i}]`, target: b, label: `branch ${i + 1}`, kind: "subflow" }));
  const body = at("body");
  if (body && step.type === "for_each") found.push({ field: "body", target: body, label: "each item", kind: "subflow" });
  const compensate = at("compensate");
  if (compensate) found.push({ field: "compensate", target: compensate, label: "undo", kind: "subflow" });
  return found;
}

// Every route that names `id`, set to null (a removed step), or renamed (an id changed).
export function retarget(step: Step, from: string, to: string | null): Step {
  const out: Step = { ...step };
  for (const field of [...ROUTE_FIELDS, "body", "compensate"]) {
    if (out[field] === from) out[field] = to;
  }
  if (Array.isArray(out.branches)) {
    out.branches = (out.branches as string[]).map((b) => (b === from ? to : b)).filter((b) => b !== null);
  }
  if (Array.isArray(out.cases)) {
    out.cases = (out.cases as { goto?: string }[]).map((c) => (c.goto === from ? { ...c, goto: to ?? "" } : c));
  }
  return out;
}

// The step ids in the order a reader follows them: from the start, depth first.
export function flowOrder(definition: Definition): Step[] {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const order: Step[] = [];
  const visit = (id: string) => {
    const step = byId.get(id);
    if (!step || seen.has(id)) return;
    seen.add(id);
    order.push(step);
    for (const route of routes(step)) visit(route.target);
  };
  visit(definition.start);
  for (const step of definition.steps) if (!seen.has(step.id)) order.push(step); // unreachable ones last
  return order;
}

// The steps of the main flow (where a failed run may resume), in the order reached: breadth
// first along the routes within a flow, never into a sub-flow (validation.py's `main_flow`).
export function mainFlow(definition: Definition): string[] {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const order: string[] = [];
  const queue = [definition.start];
  const seen = new Set(queue);
  while (queue.length) {
    const step = byId.get(queue.shift() as string);
    if (!step) continue;
    order.push(step.id);
    for (const route of routes(step)) {
      if (route.kind === "subflow" || seen.has(route.target)) continue;
      seen.add(route.target);
      queue.push(route.target);
    }
  }
  return order;
}
