import { Box, Card, CardContent, Chip, Stack, Typography } from "@mui/material";

import type { IntegrationMonth, MonthlyReport } from "./endpoint";

const COLOURS: Record<string, "success" | "error" | "default"> = { met: "success", breached: "error" };

const Figure = ({ label, value }: { label: string; value: number | string }) => (
  <Box sx={{ minWidth: 88 }}>
    <Typography variant="h6" component="div">{value}</Typography>
    <Typography variant="caption" color="text.secondary">{label}</Typography>
  </Box>
);

const Connection = ({ line }: { line: IntegrationMonth }) => {
  const top = line.top_errors[0];
  return (
    <Card variant="outlined" data-testid="report-connection">
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap", mb: 1 }}>
          <Typography variant="subtitle1" sx={{ wordBreak: "break-word" }}>{line.integration}</Typography>
          <Typography variant="body2" color="text.secondary">{line.system || "deleted"}</Typography>
          <Chip size="small" label={`SLA ${line.sla_status}`} color={COLOURS[line.sla_status] ?? "default"} />
        </Stack>
        <Stack direction="row" sx={{ flexWrap: "wrap", gap: 2 }}>
          <Figure label="runs" value={line.runs?.total ?? "-"} />
          <Figure label="failures" value={line.failures} />
          <Figure label="written" value={line.records.written} />
          <Figure label="quarantined" value={line.records.quarantined} />
          <Figure label="refused" value={line.records.failed} />
          <Figure label="conflicts" value={line.records.conflicts} />
        </Stack>
        {top && (
          <Typography variant="body2" sx={{ mt: 1, wordBreak: "break-word" }}>
            Top error ({top.count}): {top.stage}: {top.reason}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
};

// The report of one month as the console shows it: totals, then one card per connection.
export const ReportPreview = ({ report }: { report: MonthlyReport }) => (
  <Stack spacing={2}>
    <Stack direction="row" sx={{ flexWrap: "wrap", gap: 2 }} data-testid="report-totals">
      <Figure label="runs" value={report.runs.total} />
      <Figure label="failed runs" value={report.runs.failed} />
      <Figure label="records written" value={report.records.written} />
      <Figure label="records rejected" value={report.records.quarantined + report.records.failed} />
    </Stack>
    {report.integrations.length === 0 && <Typography>No connection yet.</Typography>}
    {report.integrations.map((line) => <Connection key={line.integration} line={line} />)}
  </Stack>
);
