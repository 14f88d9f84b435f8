// /api/v1/mappings (api/routes/mappings.py; model atrium/models/mapping.py):
//   GET  /api/v1/mappings                                -> MappingPublic[] (latest versions, unpaged)
//   GET  /api/v1/mappings/{name}                         -> MappingPublic (latest version)
//   POST /api/v1/mappings  MappingCreate                 -> MappingPublic (version 1)
//   PUT  /api/v1/mappings/{name}  MappingUpdate          -> MappingPublic (a new version)
//   GET  /api/v1/mappings/{name}/versions                -> MappingPublic[] or {items}, newest first
//   POST /api/v1/mappings/dry-run {record_type, spec, records: [...]}
//        -> [{source_id, ok, version, record | null, stage | null, reason | null}]
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/mappings",
  id: "name",
  paging: "none",
  create: { fields: ["name", "record_type", "description", "spec"] },
  update: { method: "PUT", fields: ["description", "spec"], whole: true },
};

export interface MappingVersion {
  name: string;
  version: number;
  spec: Record<string, unknown>;
  description: string;
  created_by: string;
  created_at: string;
}

export interface DryRunResult {
  source_id: string;
  ok: boolean;
  version?: string | null;
  record?: Record<string, unknown> | null;
  stage?: string | null;
  reason?: string | null;
}

export const RECORD_TYPES = ["orgs", "academicSessions", "users", "courses", "classes", "enrollments", "lineItems", "results"];

export const mappingActions = {
  mappingVersions: async (name: string): Promise<MappingVersion[]> => {
    const body = await request<MappingVersion[] | { items: MappingVersion[] }>(
      `${endpoint.path}/${encodeURIComponent(name)}/versions`,
    );
    return Array.isArray(body) ? body : body.items;
  },
  dryRunMapping: (recordType: string, spec: unknown, records: unknown[]) =>
    request<DryRunResult[]>(`${endpoint.path}/dry-run`, {
      method: "POST",
      json: { record_type: recordType, spec, records },
    }),
};
