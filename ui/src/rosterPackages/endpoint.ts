// /api/v1/roster-packages (api/routes/roster_packages.py; model atrium/models/roster_package.py):
//   GET  /api/v1/roster-packages?source=&offset=&limit= -> RosterPackagePublic[] (X-Total-Count)
//   GET  /api/v1/roster-packages/{id}                   -> RosterPackagePublic
//   POST /api/v1/roster-packages multipart {source, targets (JSON), package (zip)}
//        -> 202 {package, duplicate: false, workflow_id} | 200 {package, duplicate: true, workflow_id: null}
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/roster-packages",
  id: "id",
  paging: "offset",
  filters: { source: "source" },
};

export interface UploadTarget {
  integration: string;
  target_system: "canvas" | "moodle";
}

export interface Uploaded {
  package: { id: number; status: string; name: string };
  duplicate: boolean;
  workflow_id: string | null;
}

export async function uploadRosterPackage(source: string, targets: UploadTarget[], file: File): Promise<Uploaded> {
  const body = new FormData();
  body.set("source", source);
  body.set("targets", JSON.stringify(targets));
  body.set("package", file, file.name);
  return request<Uploaded>(endpoint.path, { method: "POST", multipart: body });
}
