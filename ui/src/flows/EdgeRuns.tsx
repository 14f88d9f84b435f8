import { Alert, Box, Chip, List, ListItemButton, ListItemText, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";

import { flowCalls, seconds, type FlowEdge, type FlowRun, type Window } from "./endpoint";

const STATUS_COLOR: Record<string, "success" | "error" | "info" | "default"> = {
  Completed: "success",
  Failed: "error",
  TimedOut: "error",
  Terminated: "error",
  Running: "info",
};

// The runs that moved data along one edge in the window; a run opens its page.
export const EdgeRuns = ({ edge, window }: { edge: FlowEdge; window: Window }) => {
  const [runs, setRuns] = useState<FlowRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  useEffect(() => {
    let current = true;
    setRuns(null);
    setError(null);
    flowCalls.edgeRuns(edge.id, window).then(
      (found) => current && setRuns(found),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [edge.id, window]);
  return (
    <Box data-testid="edge-runs" sx={{ mt: 2 }}>
      <Typography variant="h6" sx={{ wordBreak: "break-word" }}>
        {edge.process}: {edge.source} → {edge.target}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {edge.carries}
      </Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {runs === null && !error && <Typography variant="body2">Loading runs…</Typography>}
      {runs !== null && (
        <List dense>
          {runs.map((run) => (
            <ListItemButton
              key={`${run.workflow_id}/${run.run_id}`}
              data-testid="edge-run"
              onClick={() => navigate(`/runs/${encodeURIComponent(run.workflow_id)}/show`)}
              sx={{ flexWrap: "wrap", gap: 1 }}
            >
              <Chip size="small" label={run.status} color={STATUS_COLOR[run.status] ?? "default"} />
              <ListItemText
                primary={run.workflow_id}
                secondary={`${run.start_time ? new Date(run.start_time).toLocaleString() : "—"} · ${seconds(run.seconds)} · ${run.records.toLocaleString()} records${run.quarantined ? ` · ${run.quarantined} quarantined` : ""}`}
                sx={{ minWidth: 0, "& .MuiListItemText-primary": { wordBreak: "break-all" } }}
              />
            </ListItemButton>
          ))}
        </List>
      )}
    </Box>
  );
};
