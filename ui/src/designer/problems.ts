import type { Definition, Problem } from "./endpoint";

// The API names a step by id, or by "[index]" when the step has no usable id yet.
export function stepOf(definition: Definition, problem: Problem): string | null {
  const index = problem.step?.match(/^\[(\d+)\]$/);
  if (index) return definition.steps[Number(index[1])]?.id ?? null;
  return problem.step;
}

export function problemsByStep(definition: Definition, problems: Problem[]): Map<string | null, Problem[]> {
  const found = new Map<string | null, Problem[]>();
  for (const problem of problems) {
    const step = stepOf(definition, problem);
    found.set(step, [...(found.get(step) ?? []), problem]);
  }
  return found;
}
