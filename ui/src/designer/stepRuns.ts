// A run's step records (api/routes/designed_runs.py RunView) drawn on its definition's graph: one
// status per step node, whatever the number of its records (a step in a for-each has one per item).
import type { Definition, RunView, StepRecord } from "./endpoint";
import { routes } from "./routes";

// "skipped": a dry run's write, webhook, sub-process or approval, not performed (its output the
// sample given); "not reached": no record in a run that has ended.
export type DrawnStatus = "done" | "failed" | "skipped" | "waiting" | "running" | "routed" | "compensated" | "not reached";

export interface StepRun {
  status: DrawnStatus;
  label: string; // the status in words, with the count of iterations: "done ×3"
  records: StepRecord[];
}

export const DRAWN_COLORS: Record<DrawnStatus, string> = {
  done: "#2e7d32",
  failed: "#c62828",
  skipped: "#757575",
  waiting: "#0277bd",
  running: "#0277bd",
  routed: "#ef6c00",
  compensated: "#ef6c00",
  "not reached": "#9e9e9e",
};

const FINISHED = ["completed", "failed", "canceled", "terminated", "timed_out"];
export const finished = (run: RunView) => FINISHED.includes(run.status);

const drawn = (record: StepRecord): DrawnStatus => (record.simulated && record.status === "done" ? "skipped" : record.status);

// The most telling status among a step's records: a failure, then what still waits or runs.
const RANK: DrawnStatus[] = ["failed", "waiting", "running", "routed", "compensated", "done", "skipped"];

export function stepRuns(definition: Definition, run: RunView): Map<string, StepRun> {
  const byStep = new Map<string, StepRecord[]>();
  for (const record of run.steps) byStep.set(record.step, [...(byStep.get(record.step) ?? []), record]);
  const out = new Map<string, StepRun>();
  for (const step of definition.steps) {
    const records = byStep.get(step.id) ?? [];
    if (records.length === 0) {
      if (finished(run)) out.set(step.id, { status: "not reached", label: "not reached", records });
      continue;
    }
    const statuses = records.map(drawn);
    const status = RANK.find((s) => statuses.includes(s)) ?? statuses[0];
    const words = status === "skipped" ? "skipped (sample)" : status;
    out.set(step.id, { status, label: records.length > 1 ? `${words} ×${records.length}` : words, records });
  }
  return out;
}

// The steps a retry from `from` may run again: those its routes lead to, into sub-flows too, in
// the order they are reached (which of them do run depends on the branches taken).
export function redone(definition: Definition, from: string): string[] {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const order: string[] = [];
  const queue = [from];
  const seen = new Set(queue);
  while (queue.length) {
    const step = byId.get(queue.shift() as string);
    if (!step) continue;
    order.push(step.id);
    for (const route of routes(step)) {
      if (seen.has(route.target)) continue;
      seen.add(route.target);
      queue.push(route.target);
    }
  }
  return order;
}
