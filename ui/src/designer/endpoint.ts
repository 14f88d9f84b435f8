// What the designer expects of /api/v1/process-definitions (api/routes/process_definitions.py):
// drafts saved as they are and validated on every read, immutable published versions, diffs,
// rollback, runs per version and the decisions their approval steps wait for.
import type { Endpoint } from "../endpoint";
import { request } from "../http";
import type { JsonSchema } from "../processes/endpoint";

export const PATH = "/api/v1/process-definitions";

export const endpoint: Endpoint = {
  path: PATH,
  id: "name",
  paging: "none",
  create: { fields: ["name", "description", "draft"] },
};

// A step as the definition language has it (atrium/designer/definition.py): `type` says which
// fields it has; the routes (next, on_error, then, ...) name other steps by id.
export type Step = Record<string, unknown> & { id: string; type: string; name?: string };

export interface Definition {
  start: string;
  inputs?: Record<string, { type?: string; required?: boolean; description?: string }>;
  variables?: Record<string, unknown>;
  steps: Step[];
}

export interface Problem {
  step: string | null; // a step's id, "[index]" for a step without a usable id, null: the whole
  field: string;
  message: string;
}

export interface DesignedProcess {
  id: string;
  name: string;
  description: string;
  draft: Definition;
  problems: Problem[];
  latest_version: number | null;
  created_by: string;
  updated_by: string;
  updated_at: string;
}

export interface Version {
  name: string;
  version: number;
  status: "published" | "pending_approval";
  content_hash: string;
  destructive: string[];
  source_version: number | null;
  created_by: string;
  created_at: string;
  approved_by: string | null;
  approved_at: string | null;
  definition: Definition | null;
  runs: number | null;
}

export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface DefinitionDiff {
  definition: Change[];
  steps: { step: string; status: "added" | "removed" | "changed"; changes: Change[] }[];
}

export interface RunItem {
  workflow_id: string;
  run_id: string;
  status: string;
  start_time: string | null;
  close_time: string | null;
}

export interface WaitingDecision {
  workflow_id: string;
  process: string;
  version: number;
  step: string;
  iteration: string;
  name: string;
  prompt: string;
  assignee_role: string;
  form: string[];
  deadline: string;
  started_by: string;
}

// One step's record in a run (atrium/designer/runs.py StepRecord): a step inside a for-each or a
// parallel branch has one per iteration.
export interface StepRecord {
  step: string;
  iteration: string;
  type: string;
  status: "running" | "waiting" | "done" | "failed" | "routed" | "compensated";
  input?: unknown;
  output?: unknown;
  error?: string | null;
  goto?: string | null;
  simulated?: boolean;
}

// A run's per-step view (api/routes/designed_runs.py RunView); status is Temporal's, lower case.
export interface RunView {
  workflow_id: string;
  name: string;
  version: number;
  status: string;
  dry_run: boolean;
  started_by: string;
  output: Record<string, unknown> | null;
  error: string | null;
  steps: StepRecord[];
  pending: WaitingDecision[];
}

// A failed run again: from the failed step (neither field), from a step of the main flow, or
// from the start.
export interface RetryIn {
  resume_from?: string;
  from_start?: boolean;
}

// A dry run's sample input and plan (api/routes/designed_runs.py DryRunIn).
export interface DryRunIn {
  input: Record<string, unknown>;
  samples?: Record<string, unknown>; // step id -> the output it answers with, not performed
  decisions?: Record<string, "approved" | "rejected">;
  perform_reads?: boolean;
}

const item = (name: string) => `${PATH}/${encodeURIComponent(name)}`;

export const designer = {
  schema: () => request<JsonSchema>(`${PATH}/schema`),
  validate: (definition: Definition) =>
    request<Problem[]>(`${PATH}/validate`, { method: "POST", json: { definition } }),
  saveDraft: (name: string, draft: Definition, description?: string) =>
    request<DesignedProcess>(`${item(name)}/draft`, { method: "PUT", json: { draft, description } }),
  publish: (name: string) => request<Version>(`${item(name)}/publish`, { method: "POST" }),
  versions: (name: string) => request<Version[]>(`${item(name)}/versions`),
  version: (name: string, version: number) => request<Version>(`${item(name)}/versions/${version}`),
  diff: (name: string, from: number, to: number) =>
    request<DefinitionDiff>(`${item(name)}/diff`, { query: { from, to } }),
  approve: (name: string, version: number) =>
    request<Version>(`${item(name)}/versions/${version}/approve`, { method: "POST" }),
  rollback: (name: string, version: number) =>
    request<Version>(`${item(name)}/versions/${version}/rollback`, { method: "POST" }),
  start: (name: string, version: number, input: Record<string, unknown>) =>
    request<{ workflow_id: string }>(`${item(name)}/versions/${version}/runs`, { method: "POST", json: { input } }),
  runs: (name: string, version: number) =>
    request<{ count: number; items: RunItem[] }>(`${item(name)}/versions/${version}/runs`, { query: { page_size: 20 } }),
  dryRun: (name: string, version: number, body: DryRunIn) =>
    request<RunView>(`${item(name)}/versions/${version}/dry-run`, { method: "POST", json: body }),
  run: (name: string, workflowId: string) => request<RunView>(`${item(name)}/runs/${encodeURIComponent(workflowId)}`),
  retry: (name: string, workflowId: string, body: RetryIn) =>
    request<{ workflow_id: string; resume_from: string | null }>(`${item(name)}/runs/${encodeURIComponent(workflowId)}/retry`, {
      method: "POST",
      json: body,
    }),
  waiting: () => request<WaitingDecision[]>(`${PATH}/decisions`),
  decide: (
    name: string,
    workflowId: string,
    body: { step: string; outcome: "approved" | "rejected"; comment: string; form: Record<string, string>; iteration: string },
  ) => request(`${item(name)}/runs/${encodeURIComponent(workflowId)}/decisions`, { method: "POST", json: body }),
};
