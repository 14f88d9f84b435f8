import { Alert, Box, Button, Chip, Stack, Typography } from "@mui/material";
import { Link } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { statusColor } from "../common/StatusChip";
import { RunGraph } from "./RunGraph";
import { runStatus } from "./runStatus";
import type { Trial } from "./TryRunDialog";
import { useRunView } from "./useRunView";

// A dry or test run tried from the designer, drawn on the graph of the version it ran (followed
// while it runs); back to the design when done looking.
export const TrialView = ({ name, trial, onBack }: { name: string; trial: Trial; onBack: () => void }) => {
  const { run, error } = useRunView(name, trial.workflowId);
  const status = run ? runStatus(run.status) : "";
  return (
    <Box data-testid="trial-view">
      <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 1, flexWrap: "wrap" }}>
        <Typography variant="subtitle1" data-testid="trial-title">
          {trial.kind === "dry" ? "Dry run" : "Test run"} of v{trial.version}
        </Typography>
        {run && <Chip size="small" label={status} color={statusColor(status)} data-testid="trial-status" />}
        <Box sx={{ flexGrow: 1 }} />
        {trial.kind === "test" && (
          <Button component={Link} to={`/process-definitions/${encodeURIComponent(name)}/runs/${encodeURIComponent(trial.workflowId)}`}>
            The run's page
          </Button>
        )}
        <Button variant="outlined" onClick={onBack}>Back to the design</Button>
      </Stack>
      <Typography variant="caption" component="div" sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>{trial.workflowId}</Typography>
      {trial.kind === "dry" && <Alert severity="info" sx={{ my: 1 }}>A dry run: nothing was written. Click a step to see its input and output.</Alert>}
      {error && <Typography color="error" variant="body2">{error}</Typography>}
      {run?.error && <Typography color="error" data-testid="trial-error">{run.error}</Typography>}
      {run ? <RunGraph run={run} definition={trial.definition} height={560} /> : !error && <Typography variant="body2">Loading the run…</Typography>}
      {run?.output && <JsonBlock value={run.output} label="Run output" />}
    </Box>
  );
};
