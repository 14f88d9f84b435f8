// What the console expects of the SLA API (api/routes/slas.py; model atrium/models/slas.py):
//   GET/POST /api/v1/slas, GET/DELETE /api/v1/slas/{id}
//   GET /api/v1/slas/{id}/history?limit= -> SlaSamplePublic[] (newest first)
//   GET /api/v1/slas/{id}/breaches?state= -> PersonBreachPublic[] (person SLAs only)
//   POST /api/v1/slas/{id}/evaluate -> SlaSamplePublic (measure now)
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/slas",
  id: "id",
  paging: "offset",
};

export interface SlaSample {
  id: number;
  at: string;
  status: string; // met | breached | unknown
  value: number | null;
  breaches: number;
  detail: string;
}

export interface PersonBreach {
  source_id: string;
  appeared_at: string;
  deadline: string;
  missing: string[];
  met_at: string | null;
  state: string; // open | late
}

const of = (id: string | number, what: string) => `${endpoint.path}/${encodeURIComponent(String(id))}/${what}`;

export const slaCalls = {
  slaHistory: (id: string | number) => request<SlaSample[]>(of(id, "history"), { query: { limit: 50 } }),
  slaBreaches: (id: string | number) => request<PersonBreach[]>(of(id, "breaches")),
  evaluateSla: (id: string | number) => request<SlaSample>(of(id, "evaluate"), { method: "POST" }),
};
