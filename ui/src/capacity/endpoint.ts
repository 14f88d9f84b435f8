// GET /api/v1/capacity (api/routes/capacity.py): advice computed on each visit, each with the
// figures it rests on, and the queues, workers and connections it read. Not a paged resource.
import { request } from "../http";

export interface Advice {
  kind: "add_workers" | "start_workers" | "raise_budget" | "throttled" | string;
  subject: string;
  advice: string;
  reasons: string[];
  figures: Record<string, string | number>;
  by: string | null;
}

export interface QueueState {
  task_queue: string;
  type: string;
  backlog: number;
  oldest_seconds: number;
  add_rate: number;
  dispatch_rate: number;
  pollers: number;
}

export interface ConnectionUsage {
  integration: string;
  calls: number;
  throttled: number;
  wait_p95_seconds: number | null;
}

export interface CapacityReport {
  at: string;
  advice: Advice[];
  queues: QueueState[];
  workers: number;
  slots_used: number | null;
  slots: number | null;
  connections: ConnectionUsage[];
  runs_last_hour: number;
  unreadable: string[];
}

export const path = "/api/v1/capacity";

export const fetchCapacity = () => request<CapacityReport>(path);
