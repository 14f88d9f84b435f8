// What the console expects of /api/v1/runs (api/routes/runs.py).
// Assumed, not yet in the API: a `started_after` filter (ISO time), and `input` / `progress` on a
// run's detail (shown when present; retry needs `input`).
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/runs",
  id: "workflow_id",
  paging: "token",
  filters: { process: "process", status: "status", integration: "integration", started_after: "started_after" },
  create: { fields: ["process", "input"] },
};

export const STATUSES = ["Running", "Completed", "Failed", "Canceled", "Terminated", "TimedOut", "ContinuedAsNew"];

export interface Run {
  id: string;
  workflow_id: string;
  run_id: string | null;
  process: string | null;
  status: string;
  integration?: string | null;
  start_time?: string | null;
  close_time?: string | null;
  temporal_ui_url: string;
  input?: Record<string, unknown>;
  progress?: unknown;
  result?: unknown;
  failure?: string | null;
}

const item = (id: string) => `${endpoint.path}/${encodeURIComponent(id)}`;

export const runActions = {
  startRun: (process: string, input: Record<string, unknown>) =>
    request<Run>(endpoint.path, { method: "POST", json: { process, input } }),
  cancelRun: (id: string) => request<Run>(`${item(id)}/cancel`, { method: "POST" }),
  signalRun: (id: string, signal: string, payload: Record<string, unknown>) =>
    request<Run>(`${item(id)}/signals/${encodeURIComponent(signal)}`, { method: "POST", json: { payload } }),
  // Runs started since `since`, newest first, following page tokens (at most `maxPages` pages).
  recentRuns: async (since: Date, maxPages = 5): Promise<Run[]> => {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      const body = await request<{ items: Run[]; next_page_token: string | null }>(endpoint.path, {
        query: { page_size: 200, page_token: pageToken, started_after: since.toISOString() },
      });
      runs.push(...body.items);
      const oldest = body.items.at(-1)?.start_time;
      if (!body.next_page_token || (oldest && new Date(oldest) < since)) break;
      pageToken = body.next_page_token;
    }
    return runs.filter((run) => run.start_time && new Date(run.start_time) >= since);
  },
};
