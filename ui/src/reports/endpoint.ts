// What the console expects of the reports API (api/routes/reports.py; atrium/reports/models.py):
//   GET /api/v1/reports/monthly?month=YYYY-MM&format=json|csv|html
//   GET/PUT /api/v1/reports/delivery -> ReportDelivery (PUT keeps the monthly-report schedule)
import { request, withQuery } from "../http";

const PATH = "/api/v1/reports";

export interface RunCounts {
  total: number;
  completed: number;
  failed: number;
  running: number;
  other: number;
}

export interface RecordCounts {
  written: number;
  quarantined: number;
  failed: number;
  conflicts: number;
}

export interface IntegrationMonth {
  integration: string;
  system: string;
  runs: RunCounts | null;
  records: RecordCounts;
  failures: number;
  sla_status: string; // breached | met | unknown | none
  slas: { name: string; kind: string; samples: number; breached: number; status: string }[];
  top_errors: { stage: string; reason: string; count: number }[];
}

export interface MonthlyReport {
  month: string;
  generated_at: string;
  integrations: IntegrationMonth[];
  runs: RunCounts;
  records: RecordCounts;
}

export interface ReportDelivery {
  enabled: boolean;
  recipients: string[];
  day_of_month: number;
  hour: number;
  comms_integration: string | null;
  updated_at?: string | null;
  updated_by?: string;
  schedule_id?: string;
}

// A link the browser follows with its session cookie: a download, or the printable page.
export const reportUrl = (month: string, format: "csv" | "html") =>
  withQuery(`${PATH}/monthly`, { month, format });

export const lastMonth = (now = new Date()) => {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
};

export const reportCalls = {
  monthlyReport: (month: string) => request<MonthlyReport>(`${PATH}/monthly`, { query: { month } }),
  reportDelivery: () => request<ReportDelivery>(`${PATH}/delivery`),
  saveReportDelivery: (body: ReportDelivery) =>
    request<ReportDelivery>(`${PATH}/delivery`, { method: "PUT", json: body }),
};
