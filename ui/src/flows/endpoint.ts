// What the console expects of the data-flow API (api/routes/flows.py):
//   GET /api/v1/flows?window=1h|24h|7d -> FlowGraph (systems as nodes, processes as edges)
//   GET /api/v1/flows/edges/{id}/runs?window= -> FlowRun[] (newest first)
//   GET /api/v1/lineage?person=|class= -> Lineage (every system a record was written to)
import { request } from "../http";

export const WINDOWS = ["1h", "24h", "7d"] as const;
export type Window = (typeof WINDOWS)[number];

export interface FlowNode {
  id: string;
  label: string;
  kind: string; // connection | atrium | webhooks | api-caller | unknown
  system: string | null;
  enabled: boolean;
}

export interface FlowEdge {
  id: string;
  process: string;
  source: string;
  target: string;
  carries: string;
  runs: number;
  running: number;
  completed: number;
  failed: number;
  error_rate: number | null;
  p95_seconds: number | null;
  records: number;
  quarantined: number;
}

export interface FlowGraph {
  window: Window;
  since: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  truncated: boolean;
}

export interface FlowRun {
  workflow_id: string;
  run_id: string;
  status: string;
  start_time: string | null;
  close_time: string | null;
  seconds: number | null;
  records: number;
  quarantined: number;
  temporal_ui_url: string;
}

export interface LineageEntry {
  system: string;
  system_type: string | null;
  record_type: string;
  source_id: string;
  target_id: string | null;
  status: string;
  written_at: string;
  workflow_id: string | null;
  run_id: string | null;
  mapping: string | null;
  version: string;
}

export interface Lineage {
  kind: "person" | "class";
  source_id: string;
  systems: string[];
  entries: LineageEntry[];
}

export const flowCalls = {
  graph: (window: Window) => request<FlowGraph>("/api/v1/flows", { query: { window } }),
  edgeRuns: (edge: string, window: Window) =>
    request<FlowRun[]>(`/api/v1/flows/edges/${encodeURIComponent(edge)}/runs`, { query: { window } }),
  lineage: (kind: "person" | "class", id: string) => request<Lineage>("/api/v1/lineage", { query: { [kind]: id } }),
};

// "3 %", "—" when no run closed.
export const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)} %`);
export const seconds = (value: number | null) => (value === null ? "—" : value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`);
