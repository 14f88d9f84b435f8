import MonitorHeartIcon from "@mui/icons-material/MonitorHeart";
import {
  Button, Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from "react-admin";

import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";
import { FINISHED, useWatchRun } from "../runs/useWatchRun";

// "Run a health check now" and the recent results of this connection's checks.
export const HealthPanel = () => {
  const record = useRecordContext();
  const name = String(record?.name ?? "");
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const queryClient = useQueryClient();
  const refresh = useRefresh();
  const notify = useNotify();
  const { canAccess } = useCanAccess({ resource: "integrations", action: "health-check" });
  const [workflowId, setWorkflowId] = useState<string | null>(null);
  const history = useQuery({
    queryKey: ["integrations", name, "health"],
    enabled: Boolean(name),
    queryFn: () => dataProvider.healthHistory(name),
  });
  const start = useMutation({
    mutationFn: () => dataProvider.startHealthCheck(name),
    onSuccess: (started) => setWorkflowId(started.workflow_id),
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  const run = useWatchRun(workflowId);
  const status = run.data?.status as string | undefined;
  const done = Boolean(status && FINISHED.includes(status));
  useEffect(() => {
    if (!done) return;
    queryClient.invalidateQueries({ queryKey: ["integrations", name, "health"] });
    refresh();
  }, [done, name, queryClient, refresh]);
  const checking = start.isPending || (Boolean(workflowId) && !done);
  return (
    <Card variant="outlined" data-testid="health-panel">
      <CardContent>
        <Typography variant="h6">Health</Typography>
        {canAccess && (
          <Button
            variant="outlined" startIcon={<MonitorHeartIcon />} disabled={checking}
            onClick={() => { setWorkflowId(null); start.mutate(); }}
          >
            Run health check now
          </Button>
        )}
        {checking && <Waiting label="Checking…" />}
        {done && workflowId && (
          <Typography variant="body2" sx={{ my: 1 }} data-testid="health-check-finished">
            Check {status === "Completed" ? "finished" : status?.toLowerCase()}:{" "}
            {run.data?.result ? (run.data.result.healthy ? "healthy" : "unhealthy") : run.data?.failure}
            {" · "}
            <Link to={`/runs/${encodeURIComponent(workflowId)}/show`}>run</Link>
          </Typography>
        )}
        {history.isLoading && <Waiting label="Loading history…" />}
        {history.data && history.data.length === 0 && (
          <Typography variant="body2" color="text.secondary">No check yet.</Typography>
        )}
        {history.data && history.data.length > 0 && (
          <Table size="small" sx={{ mt: 1 }}>
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Result</TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Latency</TableCell>
                <TableCell>Detail</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {history.data.map((check) => (
                <TableRow key={check.checked_at}>
                  <TableCell>{new Date(check.checked_at).toLocaleString()}</TableCell>
                  <TableCell>
                    <Chip size="small" color={check.healthy ? "success" : "error"} label={check.healthy ? "healthy" : "unhealthy"} />
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                    {check.latency_ms != null ? `${Math.round(check.latency_ms)} ms` : "—"}
                  </TableCell>
                  <TableCell sx={{ wordBreak: "break-word" }}>{check.detail}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
};
