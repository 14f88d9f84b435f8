// /api/v1/audit (api/routes/audit.py): {items, total} newest first, filters actor, action (prefix),
// outcome, since, until; GET /api/v1/audit/verify -> {ok, checked, first_broken_id, reason}.
import type { Endpoint } from "../endpoint";
import { request } from "../http";

export const endpoint: Endpoint = {
  path: "/api/v1/audit",
  id: "id",
  paging: "offset",
  filters: { actor: "actor", action: "action", outcome: "outcome", since: "since", until: "until" },
};

export interface ChainVerification {
  ok: boolean;
  checked: number;
  first_broken_id: number | null;
  reason: string | null;
}

export const auditActions = {
  verifyAudit: () => request<ChainVerification>(`${endpoint.path}/verify`),
};
