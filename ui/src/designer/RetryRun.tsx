import ReplayIcon from "@mui/icons-material/Replay";
import { Box, Button, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useNotify } from "react-admin";
import { useNavigate } from "react-router-dom";

import { designer, type Definition, type RetryIn, type RunView } from "./endpoint";
import { mainFlow } from "./routes";
import { redone } from "./stepRuns";

// The main-flow step the run failed at: the last main-flow step recorded as failed (a step inside
// a for-each or a branch fails its owner too, which the API resumes at).
export function failedStep(run: RunView, flow: string[]): string | null {
  const failed = run.steps.filter((s) => s.status === "failed" && flow.includes(s.step));
  return failed.at(-1)?.step ?? null;
}

// Where a failed run may be retried from besides the failed step: the main-flow steps before it.
export function earlierSteps(run: RunView, definition: Definition): { failed: string | null; earlier: string[] } {
  const flow = mainFlow(definition);
  const failed = failedStep(run, flow);
  return { failed, earlier: flow.slice(0, failed ? flow.indexOf(failed) : flow.length) };
}

// A failed run again, on its version (api/routes/process_definitions.py retry_run): from the
// failed step with the variables the run had there, from any earlier step of the main flow (the
// steps it would run again are listed here and outlined on the graph), or from the start with the
// original input. Opens the new run's page.
export const RetryRun = ({ run, definition, from, onFrom }: {
  run: RunView;
  definition: Definition;
  from: string;
  onFrom: (step: string) => void;
}) => {
  const notify = useNotify();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const { failed, earlier } = earlierSteps(run, definition);
  const retry = (body: RetryIn, what: string) => async () => {
    setBusy(true);
    try {
      const started = await designer.retry(run.name, run.workflow_id, body);
      notify(`Retried ${what}: ${started.workflow_id}`, { type: "success" });
      navigate(`/process-definitions/${encodeURIComponent(run.name)}/runs/${encodeURIComponent(started.workflow_id)}`);
    } catch (error) {
      notify((error as Error).message, { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const again = from ? redone(definition, from) : [];
  return (
    <Box data-testid="retry-run" sx={{ my: 1 }}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={1} alignItems={{ sm: "center" }}>
        <Button variant="contained" startIcon={<ReplayIcon />} disabled={busy} onClick={retry({}, failed ? `from ${failed}` : "from the failed step")}>
          Retry from the failed step{failed ? ` (${failed})` : ""}
        </Button>
        <Box sx={{ display: "flex", gap: 1, alignItems: "center" }}>
          <TextField
            select
            size="small"
            label="Earlier step"
            value={earlier.includes(from) ? from : ""}
            onChange={(e) => onFrom(e.target.value)}
            sx={{ minWidth: 160 }}
            disabled={earlier.length === 0}
            slotProps={{ htmlInput: { "data-testid": "retry-step" } }}
          >
            {earlier.map((id) => (
              <MenuItem key={id} value={id}>{id}</MenuItem>
            ))}
          </TextField>
          <Button disabled={busy || !earlier.includes(from)} onClick={retry({ resume_from: from }, `from ${from}`)}>
            Retry from step…
          </Button>
        </Box>
        <Button disabled={busy} onClick={retry({ from_start: true }, "from the start")}>Retry from the start</Button>
      </Stack>
      {earlier.includes(from) && (
        <Typography variant="body2" sx={{ mt: 1 }} data-testid="retry-redone">
          From {from}, these steps may run again (outlined on the graph; which do depends on the branches taken):{" "}
          <b>{again.join(" → ")}</b>. The run goes on with the variables it had when it failed.
        </Typography>
      )}
    </Box>
  );
};
