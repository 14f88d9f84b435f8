// /api/v1/quarantine (api/routes/quarantine.py; model atrium/models/quarantine.py):
//   GET  /api/v1/quarantine?status=&integration=&record_type=&offset=&limit= -> QuarantinePublic[]
//   GET  /api/v1/quarantine/{id}                                            -> QuarantinePublic
//   POST /api/v1/quarantine/{id}/retry -> 202 {quarantine_id, workflow_id, joined}
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/quarantine",
  id: "id",
  paging: "offset",
  filters: { status: "status", integration: "integration", record_type: "record_type" },
};

export const quarantineActions = {
  retryQuarantined: (id: string | number) =>
    request<Record<string, unknown>>(`${endpoint.path}/${encodeURIComponent(String(id))}/retry`, { method: "POST" }),
};
