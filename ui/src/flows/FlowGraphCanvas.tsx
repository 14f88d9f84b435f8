import "@xyflow/react/dist/style.css";

import { Box } from "@mui/material";
import { Background, Controls, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";

import { layout, type Positions } from "../designer/layout";
import { percent, seconds, type FlowEdge, type FlowNode } from "./endpoint";

const NODE_WIDTH = 170;
const NODE_HEIGHT = 56;
// Room ELK keeps beside each box for the labels of the arrows leaving it: the box it lays out is
// the node plus this, so the next layer starts after the label, not under it.
const LABEL_ROOM = { across: 270, down: 44 };

// Red when runs failed along it, green when every closed run succeeded, grey when none closed.
export const edgeColor = (edge: FlowEdge) =>
  edge.error_rate === null ? "#78909c" : edge.error_rate > 0 ? "#c62828" : "#2e7d32";

export const edgeSummary = (edge: FlowEdge) =>
  `${edge.records.toLocaleString()} rec · ${edge.runs} run${edge.runs === 1 ? "" : "s"} · ${percent(edge.error_rate)} err · p95 ${seconds(edge.p95_seconds)}`;

const Fit = ({ positions }: { positions: Positions }) => {
  const flow = useReactFlow();
  useEffect(() => {
    const timer = setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1 }), 30);
    return () => clearTimeout(timer);
  }, [flow, positions]);
  return null;
};

interface Props {
  nodes: FlowNode[];
  edges: FlowEdge[];
  selected: string | null;
  onSelect: (edge: string | null) => void;
  vertical: boolean;
  height: number;
}

// Systems as boxes, processes as arrows between them, laid out by ELK (as the designer's canvas).
// Systems no run touched in the window are left out of the drawing (they are listed beside it).
export const FlowGraphCanvas = ({ nodes, edges, selected, onSelect, vertical, height }: Props) => {
  const drawn = useMemo(() => {
    const used = new Set(edges.flatMap((e) => [e.source, e.target]));
    return nodes.filter((n) => used.has(n.id));
  }, [nodes, edges]);
  const [positions, setPositions] = useState<Positions>({});
  const shape = JSON.stringify([drawn.map((n) => n.id), edges.map((e) => e.id), vertical]);
  useEffect(() => {
    let current = true;
    const boxes = drawn.map((n) => ({
      id: n.id,
      width: NODE_WIDTH + (vertical ? 0 : LABEL_ROOM.across),
      height: NODE_HEIGHT + (vertical ? LABEL_ROOM.down : 0),
    }));
    layout(boxes, edges, vertical).then((found) => current && setPositions(found), () => undefined);
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);
  const flowNodes: Node[] = drawn.map((n, i) => ({
    id: n.id,
    position: positions[n.id] ?? { x: i * 200, y: 0 },
    data: { label: n.system ? `${n.label}\n(${n.system})` : n.label },
    style: {
      width: NODE_WIDTH,
      whiteSpace: "pre-line",
      fontSize: 12,
      borderColor: n.kind === "connection" ? "#1565c0" : "#9e9e9e",
      background: n.kind === "connection" ? "#e3f2fd" : "#f5f5f5",
    },
    sourcePosition: vertical ? Position.Bottom : Position.Right,
    targetPosition: vertical ? Position.Top : Position.Left,
    draggable: false,
    connectable: false,
  }));
  const flowEdges: Edge[] = edges.map((e) => {
    const color = edgeColor(e);
    const width = 1.5 + Math.min(5, Math.log10(1 + e.records + e.runs));
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      // On a phone the process and p95 are in the list below; the arrow says records and errors.
      label: vertical ? `${e.records.toLocaleString()} rec · ${percent(e.error_rate)} err` : `${e.process}: ${edgeSummary(e)}`,
      labelStyle: { fontSize: 10 },
      labelBgStyle: { fillOpacity: 0.85 },
      style: { stroke: color, strokeWidth: e.id === selected ? width + 2 : width },
      markerEnd: { type: MarkerType.ArrowClosed, color },
      interactionWidth: 24, // a thin arrow is still easy to hit with a finger
      selected: e.id === selected,
      animated: e.running > 0,
    };
  });
  return (
    <Box sx={{ height, width: "100%", border: 1, borderColor: "divider", borderRadius: 1 }} data-testid="flow-graph">
      <ReactFlowProvider>
        <ReactFlow
          nodes={flowNodes}
          edges={flowEdges}
          onEdgeClick={(_, edge) => onSelect(edge.id)}
          onPaneClick={() => onSelect(null)}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          minZoom={0.2}
          proOptions={{ hideAttribution: true }}
          fitView
        >
          <Fit positions={positions} />
          <Background gap={16} />
          <Controls showInteractive={false} position="top-right" />
        </ReactFlow>
      </ReactFlowProvider>
    </Box>
  );
};
