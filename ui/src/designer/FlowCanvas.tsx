import "@xyflow/react/dist/style.css";

import { Box } from "@mui/material";
import {
  Background, Controls, MarkerType, ReactFlow, ReactFlowProvider, useNodesState, useReactFlow, type Edge, type Node,
} from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";

import type { Definition, Problem } from "./endpoint";
import { layout, type Positions } from "./layout";
import { problemsByStep } from "./problems";
import { routes, type RouteKind } from "./routes";
import type { StepRun } from "./stepRuns";
import { NODE_WIDTH, nodeHeight, StepNode } from "./StepNode";

const NODE_TYPES = { step: StepNode };
const NO_PROBLEMS: Problem[] = []; // one array: a new default each render would redraw the nodes each render

const EDGE_STYLE: Record<RouteKind, { stroke: string; strokeDasharray?: string }> = {
  next: { stroke: "#607d8b" },
  branch: { stroke: "#ef6c00" },
  error: { stroke: "#c62828", strokeDasharray: "6 4" },
  subflow: { stroke: "#6a1b9a", strokeDasharray: "2 4" },
};

interface Props {
  definition: Definition;
  problems?: Problem[];
  selected?: string | null;
  onSelect?: (id: string | null) => void;
  onConnect?: (source: string, target: string) => void; // none: view-only
  height?: number | string;
  runs?: Map<string, StepRun>; // a run drawn on the graph: each step's status in it
  marked?: string[]; // the steps a retry would run again
}

// On a run's drawing, whether the run went this way: a step's record names the step it went on
// to; a sub-flow was entered when its first step has a record.
function tookRoute(runs: Map<string, StepRun>, source: string, target: string, kind: RouteKind): boolean {
  if (kind === "subflow") return (runs.get(target)?.records.length ?? 0) > 0;
  return runs.get(source)?.records.some((r) => r.goto === target) ?? false;
}

// Fits the drawing to the pane whenever the layout changes (a step added, a route changed).
const FitOnLayout = ({ positions }: { positions: Positions }) => {
  const flow = useReactFlow();
  useEffect(() => {
    const timer = setTimeout(() => flow.fitView({ padding: 0.15, maxZoom: 1 }), 30);
    return () => clearTimeout(timer);
  }, [flow, positions]);
  return null;
};

// The definition as a flowchart, laid out by ELK: one node per step, one edge per route (labelled
// for branches, red and dashed for on-error routes, dotted into sub-flows).
export const FlowCanvas = ({ definition, problems = NO_PROBLEMS, selected = null, onSelect, onConnect, height = 560, runs, marked }: Props) => {
  const byStep = useMemo(() => problemsByStep(definition, problems), [definition, problems]);
  const edges: Edge[] = useMemo(
    () =>
      definition.steps.flatMap((step) =>
        routes(step).map((route) => {
          const taken = runs ? tookRoute(runs, step.id, route.target, route.kind) : null;
          return {
            id: `${step.id}:${route.field}`,
            source: step.id,
            target: route.target,
            label: route.label || undefined,
            style: taken === null ? EDGE_STYLE[route.kind] : { ...EDGE_STYLE[route.kind], strokeWidth: taken ? 2.5 : 1, opacity: taken ? 1 : 0.35 },
            labelStyle: { fontSize: 11 },
            markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_STYLE[route.kind].stroke },
            data: { taken },
          };
        }),
      ),
    [definition, runs],
  );
  // Laid out again only when the shape changes: ids, routes and how tall nodes are.
  const drawsRun = runs !== undefined;
  const shape = JSON.stringify([
    definition.steps.map((s) => [s.id, byStep.get(s.id)?.length ?? 0]),
    edges.map((e) => [e.source, e.target]),
    drawsRun,
  ]);
  const [positions, setPositions] = useState<Positions>({});
  useEffect(() => {
    let current = true;
    const boxes = definition.steps.map((s) => ({ id: s.id, width: NODE_WIDTH, height: nodeHeight(byStep.get(s.id)?.length ?? 0, drawsRun) }));
    layout(boxes, edges).then((found) => current && setPositions(found), () => undefined);
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);
  // React Flow measures each node once drawn; a node rebuilt for a change keeps its measure (until
  // it is measured again), or its edges would not be drawn.
  const editable = Boolean(onConnect);
  const [nodes, setNodes, onNodesChange] = useNodesState<Node>([]);
  useEffect(() => {
    setNodes((previous) => {
      const measured = new Map(previous.map((n) => [n.id, n.measured]));
      return definition.steps.map((step, index) => ({
        id: step.id,
        type: "step",
        position: positions[step.id] ?? { x: 0, y: index * 110 },
        selected: step.id === selected,
        measured: measured.get(step.id),
        data: {
          step,
          problems: byStep.get(step.id) ?? [],
          start: step.id === definition.start,
          run: runs ? (runs.get(step.id) ?? null) : undefined,
          marked: marked?.includes(step.id) ?? false,
        },
        draggable: false,
        connectable: editable,
      }));
    });
  }, [definition, positions, selected, byStep, editable, setNodes, runs, marked]);
  return (
    <Box sx={{ height, width: "100%", border: 1, borderColor: "divider", borderRadius: 1 }} data-testid="flow-canvas">
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onNodeClick={(_, node) => onSelect?.(node.id)}
          onPaneClick={() => onSelect?.(null)}
          onConnect={editable ? (c) => c.source && c.target && onConnect?.(c.source, c.target) : undefined}
          nodesDraggable={false}
          nodesConnectable={editable}
          elementsSelectable
          minZoom={0.2}
          proOptions={{ hideAttribution: true }}
          fitView
        >
          <FitOnLayout positions={positions} />
          <Background gap={16} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </ReactFlowProvider>
    </Box>
  );
};
