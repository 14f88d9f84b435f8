// GET /api/v1/security/findings (api/routes/security_findings.py): the deployment assessed now,
// {assessed_at, counts: {high, medium, low, info}, items: [{severity, kind, subject, detail, fix}]}
// most urgent first. Not a paged resource: the page asks for it whole and lists it in memory.
import { request } from "../http";

export type Severity = "high" | "medium" | "low" | "info";
export const SEVERITIES: Severity[] = ["high", "medium", "low", "info"];

export interface Finding {
  severity: Severity;
  kind: string;
  subject: string;
  detail: string;
  fix: string;
}

export interface Assessment {
  assessed_at: string;
  counts: Record<Severity, number>;
  items: Finding[];
}

export const path = "/api/v1/security/findings";

export const assess = () => request<Assessment>(path);
