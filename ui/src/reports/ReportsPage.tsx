import { Box, Card, CardContent, CardHeader, Link, Stack, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Title, useCanAccess } from "react-admin";

import { DeliveryForm } from "./DeliveryForm";
import { lastMonth, type MonthlyReport, reportCalls, reportUrl } from "./endpoint";
import { ReportPreview } from "./ReportPreview";

// The monthly integration report: a preview of any month, its CSV, its printable page (charts
// drawn by the server, ready to print or save as PDF), and its delivery by email.
export const ReportsPage = () => {
  const [month, setMonth] = useState(lastMonth());
  const [report, setReport] = useState<MonthlyReport | null>(null);
  const [error, setError] = useState("");
  const { canAccess: canChange = false } = useCanAccess({ resource: "reports", action: "edit" });
  // Only the chosen month's answer is shown: a slower answer for the month shown before (the
  // page opens on last month) must not overwrite it.
  useEffect(() => {
    if (!/^\d{4}-\d{2}$/.test(month)) return;
    let current = true;
    setError("");
    setReport(null);
    reportCalls.monthlyReport(month).then(
      (found) => current && setReport(found),
      (err: Error) => {
        if (!current) return;
        setReport(null);
        setError(err.message);
      },
    );
    return () => {
      current = false;
    };
  }, [month]);
  return (
    <Stack spacing={2} sx={{ mt: 2, minWidth: 0 }}>
      <Title title="Reports" />
      <Card>
        <CardHeader title="Monthly integration report" subheader="UTC months; runs, records, failures, SLAs and top errors per connection" />
        <CardContent>
          <Stack direction="row" sx={{ flexWrap: "wrap", gap: 2, alignItems: "center", mb: 2 }}>
            <TextField
              label="Month"
              type="month"
              value={month}
              onChange={(e) => setMonth(e.target.value)}
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: "2000-01", max: "2100-12" } }}
            />
            <Link href={reportUrl(month, "csv")} download={`atrium-report-${month}.csv`}>Download CSV</Link>
            <Link href={reportUrl(month, "html")} target="_blank" rel="noopener">Open printable page</Link>
          </Stack>
          {error && <Typography color="error">{error}</Typography>}
          {report && <ReportPreview report={report} />}
        </CardContent>
      </Card>
      <Card>
        <CardHeader title="Delivery by email" />
        <CardContent>
          <Box>
            <DeliveryForm canChange={canChange} />
          </Box>
        </CardContent>
      </Card>
    </Stack>
  );
};
