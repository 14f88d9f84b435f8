import { Box, Typography } from "@mui/material";
import { Handle, Position, type NodeProps } from "@xyflow/react";

import type { Problem, Step } from "./endpoint";
import { DRAWN_COLORS, type StepRun } from "./stepRuns";
import { summary, typeOf } from "./stepTypes";

export interface StepNodeData extends Record<string, unknown> {
  step: Step;
  problems: Problem[];
  start: boolean;
  run?: StepRun | null; // drawn for a run: the step's status in it
  marked?: boolean; // a retry would run it again
}

export const NODE_WIDTH = 230;
export const nodeHeight = (problems: number, run = false) => 74 + Math.min(problems, 3) * 18 + (run ? 24 : 0);

// A step on the flowchart: its kind, its name, what it does, and what is wrong with it; on a
// run's drawing, its status there (colour and words) and whether a retry would run it again.
export const StepNode = ({ data, selected }: NodeProps) => {
  const { step, problems, start, run, marked } = data as StepNodeData;
  const kind = typeOf(step.type);
  const bad = problems.length > 0;
  const drawn = run ? DRAWN_COLORS[run.status] : null;
  return (
    <Box
      data-testid={`step-node-${step.id}`}
      data-problems={problems.length}
      data-run-status={run?.status}
      data-marked={marked ? "redo" : undefined}
      sx={{
        width: NODE_WIDTH,
        minHeight: nodeHeight(problems.length, run !== undefined) - 4,
        bgcolor: "background.paper",
        border: 2,
        borderStyle: marked ? "dashed" : "solid",
        borderColor: bad ? "error.main" : selected ? "primary.main" : marked ? "secondary.main" : drawn ?? "divider",
        borderLeft: `6px solid ${kind.color}`,
        borderRadius: 1,
        boxShadow: selected ? 4 : 1,
        px: 1,
        py: 0.5,
        overflow: "hidden",
      }}
    >
      <Handle type="target" position={Position.Top} />
      <Typography variant="caption" sx={{ color: kind.color, fontWeight: 600 }}>
        {start ? "▶ start · " : ""}
        {kind.label}
      </Typography>
      <Typography variant="body2" noWrap sx={{ fontWeight: 600 }} title={step.id}>
        {step.name || step.id}
      </Typography>
      <Typography variant="caption" component="div" noWrap color="text.secondary" title={summary(step)}>
        {summary(step)}
      </Typography>
      {problems.slice(0, 3).map((p, i) => (
        <Typography key={i} variant="caption" component="div" noWrap color="error" title={`${p.field}: ${p.message}`}>
          ⚠ {p.field}: {p.message}
        </Typography>
      ))}
      {run && (
        <Box
          data-testid="node-run-status"
          sx={{ mt: 0.5, px: 0.75, display: "inline-block", borderRadius: 1, bgcolor: drawn, color: "#fff", fontSize: 12, fontWeight: 600 }}
        >
          {run.label}
          {marked ? " · runs again" : ""}
        </Box>
      )}
      {run === null && (
        <Typography variant="caption" component="div" color="text.secondary" data-testid="node-run-status">
          not yet{marked ? " · runs again" : ""}
        </Typography>
      )}
      <Handle type="source" position={Position.Bottom} />
    </Box>
  );
};
