import { Box, Button, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useEffect, useMemo, useState } from "react";
import { Link, Title } from "react-admin";
import { useParams } from "react-router-dom";

import { JsonBlock } from "../common/JsonBlock";
import { statusColor } from "../common/StatusChip";
import type { StepRecord } from "./endpoint";
import { earlierSteps, RetryRun } from "./RetryRun";
import { RunGraph, useVersionDefinition } from "./RunGraph";
import { runStatus } from "./runStatus";
import { redone } from "./stepRuns";
import { useRunView } from "./useRunView";
const STEP_COLORS: Record<StepRecord["status"], "success" | "error" | "warning" | "info" | "default"> = {
  done: "success",
  failed: "error",
  routed: "warning",
  compensated: "warning",
  running: "info",
  waiting: "info",
};

const StepRow = ({ record }: { record: StepRecord }) => (
    <TableRow data-testid={`run-step-${record.step}${record.iteration && record.iteration !== "0" ? `-${record.iteration}` : ""}`} data-status={record.status}>
      <TableCell sx={{ fontFamily: "monospace" }}>
        {record.step}
        {record.iteration && record.iteration !== "0" ? ` #${record.iteration}` : ""}
      </TableCell>
      <TableCell>{record.type}</TableCell>
      <TableCell>
        <Chip size="small" label={record.simulated ? `${record.status} (sample)` : record.status} color={STEP_COLORS[record.status]} data-testid="step-status" />
        {record.goto && <Typography variant="caption" component="div">→ {record.goto}</Typography>}
      </TableCell>
      <TableCell sx={{ maxWidth: 360 }}>
        <JsonBlock value={record.input} />
      </TableCell>
      <TableCell sx={{ maxWidth: 360 }}>
        {record.error ? (
          <Typography variant="body2" color="error" data-testid="step-error">{record.error}</Typography>
        ) : (
          <JsonBlock value={record.output} />
        )}
      </TableCell>
    </TableRow>
);

// One run of a designed process: its status, what it ended with (output or error), its steps drawn
// on its version's graph (a click on a step shows its input and output) and listed below; followed
// while it runs. A failed run can be retried from here, from the failed step, any earlier step
// (chosen in the list or on the graph) or the start.
export const DesignedRun = ({ every = 2000 }: { every?: number }) => {
  const { id = "", workflowId = "" } = useParams();
  const { run, error } = useRunView(id, workflowId, every);
  const { definition } = useVersionDefinition(id, run?.version ?? null);
  const [from, setFrom] = useState("");
  useEffect(() => setFrom(""), [workflowId]);
  const status = run ? runStatus(run.status) : "";
  const retryable = run !== null && run.status === "failed" && !run.dry_run;
  const earlier = run && definition && retryable ? earlierSteps(run, definition).earlier : [];
  const chosen = earlier.includes(from) ? from : "";
  const marked = useMemo(() => (definition && chosen ? redone(definition, chosen) : undefined), [definition, chosen]);
  return (
    <Box sx={{ p: 1 }} data-testid="designed-run">
      <Title title="Designed run" />
      <Typography variant="body2">
        <Link to={`/process-definitions/${encodeURIComponent(id)}/show`}>{id}</Link> · run
      </Typography>
      <Typography variant="h6" sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }} data-testid="designed-run-id">{workflowId}</Typography>
      {error && <Typography color="error" variant="body2">{error}</Typography>}
      {!run && !error && <Typography variant="body2">Loading the run…</Typography>}
      {run && (
        <>
          <Stack direction="row" spacing={1} alignItems="center" sx={{ my: 1, flexWrap: "wrap" }}>
            <Chip label={status} color={statusColor(status)} data-testid="designed-run-status" />
            <Typography variant="body2">
              v{run.version} · started by {run.started_by}
              {run.dry_run ? " · dry run" : ""}
            </Typography>
          </Stack>
          {run.error && <Typography color="error" data-testid="designed-run-error">{run.error}</Typography>}
          {retryable && definition && <RetryRun run={run} definition={definition} from={from} onFrom={setFrom} />}
          {run.output && <JsonBlock value={run.output} label="Output" />}
          {run.pending.length > 0 && (
            <Typography variant="body2">Waiting for a decision at {run.pending.map((p) => p.step).join(", ")} (see Approvals).</Typography>
          )}
          {definition && (
            <RunGraph
              run={run}
              definition={definition}
              marked={marked}
              extra={(step) =>
                earlier.includes(step) && (
                  <Button size="small" sx={{ mt: 1 }} onClick={() => setFrom(step)} disabled={from === step}>
                    Choose for the retry
                  </Button>
                )
              }
            />
          )}
          <Typography variant="subtitle1" sx={{ mt: 2 }}>Steps</Typography>
          {run.steps.length === 0 ? (
            <Typography variant="body2" color="text.secondary">No step has run yet.</Typography>
          ) : (
            // Its content's width is not the page's: on a phone the table scrolls, not the page.
            <Box sx={{ overflowX: "auto", contain: "inline-size" }}>
              <Table size="small" data-testid="run-steps">
                <TableHead>
                  <TableRow>
                    <TableCell>Step</TableCell>
                    <TableCell>Type</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Input</TableCell>
                    <TableCell>Output</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {run.steps.map((record) => (
                    <StepRow key={`${record.step}#${record.iteration}`} record={record} />
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </>
      )}
    </Box>
  );
};
