// /api/v1/conflicts (api/routes/conflicts.py; model atrium/models/conflict.py):
//   GET  /api/v1/conflicts?status=open|resolved&integration=&limit= -> ConflictPublic[] (unpaged)
//   GET  /api/v1/conflicts/{id}                                      -> ConflictPublic
//   POST /api/v1/conflicts/{id}/resolve {choose: system} or {value: "..."} -> ConflictPublic
// `values` maps "base" (the last synced value) and each system to its value, either plain or as
// {value, modified_at | date_last_modified | at} (both read).
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/conflicts",
  id: "id",
  paging: "none",
  filters: { status: "status", integration: "integration" },
};

export interface SideValue {
  system: string;
  value: unknown;
  at?: string;
}

export function sides(values: Record<string, unknown> | undefined): SideValue[] {
  return Object.entries(values ?? {}).map(([system, raw]) => {
    if (raw && typeof raw === "object" && !Array.isArray(raw) && "value" in raw) {
      const r = raw as Record<string, unknown>;
      const at = r.modified_at ?? r.date_last_modified ?? r.dateLastModified ?? r.at;
      return { system, value: r.value, at: at ? String(at) : undefined };
    }
    return { system, value: raw };
  });
}

export const conflictActions = {
  resolveConflict: (id: string | number, resolution: { choose?: string; value?: string }) =>
    request<Record<string, unknown>>(`${endpoint.path}/${encodeURIComponent(String(id))}/resolve`, {
      method: "POST",
      json: resolution,
    }),
};
