import { Box, Button, Paper, Stack, Typography } from "@mui/material";
import { useEffect, useMemo, useState, type ReactNode } from "react";

import { JsonBlock } from "../common/JsonBlock";
import { useIsSmall } from "../common/useIsSmall";
import { designer, type Definition, type RunView } from "./endpoint";
import { FlowCanvas } from "./FlowCanvas";
import { DRAWN_COLORS, stepRuns, type StepRun } from "./stepRuns";

// The definition of the version a run ran on (null while it is read).
export function useVersionDefinition(name: string, version: number | null) {
  const [definition, setDefinition] = useState<Definition | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setDefinition(null);
    if (version === null) return;
    designer.version(name, version).then(
      (v) => current && setDefinition(v.definition ?? { start: "", steps: [] }),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [name, version]);
  return { definition, error };
}

// One step's records in the run: per iteration, its status, input, output or error.
const StepPanel = ({ id, found, onClose, extra }: { id: string; found: StepRun | null; onClose: () => void; extra?: ReactNode }) => (
  <Box data-testid="step-panel" data-step={id} sx={{ p: 1 }}>
    <Stack direction="row" alignItems="center" spacing={1}>
      <Typography variant="subtitle1" sx={{ fontFamily: "monospace", flexGrow: 1, overflowWrap: "anywhere" }}>{id}</Typography>
      <Button size="small" onClick={onClose}>Close</Button>
    </Stack>
    {!found ? (
      <Typography variant="body2" color="text.secondary">Not run (yet) in this run.</Typography>
    ) : (
      <>
        <Typography variant="body2" sx={{ color: DRAWN_COLORS[found.status], fontWeight: 600 }} data-testid="step-panel-status">
          {found.label}
        </Typography>
        {found.records.map((record) => (
          <Box key={record.iteration} sx={{ mt: 1, borderTop: 1, borderColor: "divider" }}>
            {found.records.length > 1 && (
              <Typography variant="caption" component="div">
                #{record.iteration} · {record.simulated && record.status === "done" ? "skipped (sample)" : record.status}
              </Typography>
            )}
            {record.goto && <Typography variant="body2">→ went on to {record.goto}</Typography>}
            {record.simulated && (
              <Typography variant="caption" component="div" color="text.secondary">
                Not performed in a dry run: its output is the sample given.
              </Typography>
            )}
            <JsonBlock value={record.input} label="Step input" />
            {record.error ? (
              <Typography variant="body2" color="error" data-testid="step-panel-error" sx={{ overflowWrap: "anywhere" }}>{record.error}</Typography>
            ) : (
              <JsonBlock value={record.output} label="Step output" />
            )}
          </Box>
        ))}
      </>
    )}
    {extra}
  </Box>
);

// A run drawn on its version's graph: each step node with its status in the run (colour and
// words); a click on a node shows that step's input and output beside the graph. `marked` steps
// are outlined (what a retry would run again); `extra` adds to the selected step's panel.
export const RunGraph = ({ run, definition, marked, extra, height = 480 }: {
  run: RunView;
  definition: Definition;
  marked?: string[];
  extra?: (step: string) => ReactNode;
  height?: number;
}) => {
  const small = useIsSmall();
  const [selected, setSelected] = useState<string | null>(null);
  const runs = useMemo(() => stepRuns(definition, run), [definition, run]);
  return (
    <Box data-testid="run-graph" sx={{ display: "flex", flexDirection: small ? "column" : "row", gap: 1, alignItems: "flex-start" }}>
      <Box sx={{ flexGrow: 1, minWidth: 0, width: small ? "100%" : undefined }}>
        <FlowCanvas definition={definition} runs={runs} marked={marked} selected={selected} onSelect={setSelected} height={small ? 320 : height} />
      </Box>
      {selected && (
        <Paper variant="outlined" sx={{ width: small ? "100%" : 340, flexShrink: 0, maxHeight: small ? undefined : height, overflowY: "auto" }}>
          <StepPanel id={selected} found={runs.get(selected) ?? null} onClose={() => setSelected(null)} extra={extra?.(selected)} />
        </Paper>
      )}
    </Box>
  );
};
