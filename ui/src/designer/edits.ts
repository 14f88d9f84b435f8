// The designer's changes to a definition, each a pure function from one definition to the next.
import type { Definition, Step } from "./endpoint";
import { retarget } from "./routes";
import { freshId } from "./stepTypes";

const ENDS = new Set(["end", "fail"]);

// A new step; the selected step, when it has no next one yet, goes on to it.
export function addStep(definition: Definition, base: string, fields: Record<string, unknown>, after: string | null): [Definition, string] {
  const id = freshId(base, definition.steps.map((s) => s.id));
  const step = { ...fields, id } as Step;
  const steps = definition.steps.map((s) => (s.id === after && !s.next && !ENDS.has(s.type) ? { ...s, next: id } : s));
  return [{ ...definition, start: definition.start || id, steps: [...steps, step] }, id];
}

export function replaceStep(definition: Definition, step: Step): Definition {
  return { ...definition, steps: definition.steps.map((s) => (s.id === step.id ? step : s)) };
}

export function renameStep(definition: Definition, from: string, to: string): Definition {
  const steps = definition.steps.map((s) => retarget(s.id === from ? { ...s, id: to } : s, from, to));
  return { ...definition, start: definition.start === from ? to : definition.start, steps };
}

export function removeStep(definition: Definition, id: string): Definition {
  const steps = definition.steps.filter((s) => s.id !== id).map((s) => retarget(s, id, null));
  const start = definition.start === id ? (steps[0]?.id ?? "") : definition.start;
  return { ...definition, start, steps };
}

// A line drawn from one step to another: the source's next step.
export function connect(definition: Definition, source: string, target: string): Definition {
  if (source === target) return definition;
  return { ...definition, steps: definition.steps.map((s) => (s.id === source ? { ...s, next: target } : s)) };
}
