// The kinds of step a designer can add besides catalog actions, with what a new one starts as and
// the line that sums one up on its node. Their fields come from the definition's JSON Schema.
import type { Step } from "./endpoint";

export interface StepType {
  type: string;
  label: string;
  schema: string; // its model in the schema's $defs
  color: string;
  blank: Record<string, unknown>;
}

export const STEP_TYPES: StepType[] = [
  { type: "condition", label: "Condition", schema: "ConditionStep", color: "#ef6c00", blank: { when: "" } },
  { type: "switch", label: "Switch", schema: "SwitchStep", color: "#ef6c00", blank: { value: "", cases: [] } },
  { type: "for_each", label: "For each", schema: "ForEachStep", color: "#6a1b9a", blank: { items: "", item: "item", body: "" } },
  { type: "parallel", label: "Parallel", schema: "ParallelStep", color: "#6a1b9a", blank: { branches: [] } },
  { type: "approval", label: "Approval", schema: "ApprovalStep", color: "#00838f", blank: { assignee_role: "secretary", prompt: "" } },
  { type: "timer", label: "Timer", schema: "TimerStep", color: "#546e7a", blank: { seconds: 60 } },
  { type: "transform", label: "Transform", schema: "TransformStep", color: "#2e7d32", blank: { set: {} } },
  { type: "webhook", label: "Webhook", schema: "WebhookStep", color: "#1565c0", blank: { url: "https://", method: "POST" } },
  { type: "end", label: "End", schema: "EndStep", color: "#37474f", blank: { output: {} } },
  { type: "fail", label: "Fail", schema: "FailStep", color: "#c62828", blank: { message: "" } },
];

export const ACTION_TYPE: StepType = {
  type: "action", label: "Action", schema: "ActionStep", color: "#1565c0", blank: { input: {}, bind: {} },
};

export const typeOf = (type: string): StepType =>
  type === "action" ? ACTION_TYPE : (STEP_TYPES.find((t) => t.type === type) ?? { ...ACTION_TYPE, type, label: type });

const text = (value: unknown) => (typeof value === "string" ? value : "");

// One line saying what the step does: the action it performs, the condition it tests, ...
export function summary(step: Step): string {
  switch (step.type) {
    case "action":
      return `${text(step.action)}${step.integration ? ` on ${text(step.integration)}` : ""}`;
    case "condition":
      return `if ${text(step.when)}`;
    case "switch":
      return `switch on ${text(step.value)}`;
    case "for_each":
      return `each ${text(step.item) || "item"} in ${text(step.items)}`;
    case "approval":
      return `a ${text(step.assignee_role)} decides`;
    case "timer":
      return `wait ${String(step.seconds ?? "?")} s`;
    case "transform":
      return `set ${Object.keys((step.set as object) ?? {}).join(", ")}`;
    case "webhook":
      return `${text(step.method) || "POST"} ${text(step.url)}`;
    case "end":
      return "end of the run";
    case "fail":
      return `fail: ${text(step.message)}`;
    default:
      return step.type;
  }
}

// A fresh id not used yet: `approval`, `approval_2`, ...
export function freshId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const stem = base.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "").slice(0, 50) || "step";
  if (!used.has(stem)) return stem;
  for (let i = 2; ; i += 1) if (!used.has(`${stem}_${i}`)) return `${stem}_${i}`;
}
