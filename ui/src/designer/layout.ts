// Automatic layout of the flowchart: ELK's layered algorithm, top to bottom, so a designer never
// places a node by hand and every version of a definition is drawn the same way. ELK is loaded on
// first use (it is large) and runs in this thread (no worker: the console's CSP loads no blobs).
import type { ElkNode } from "elkjs/lib/elk-api";

export interface Box {
  id: string;
  width: number;
  height: number;
}

export type Positions = Record<string, { x: number; y: number }>;

let elk: Promise<{ layout: (graph: ElkNode) => Promise<ElkNode> }> | null = null;

function engine() {
  elk ??= import("elkjs/lib/elk.bundled.js").then(({ default: ELK }) => new ELK());
  return elk;
}

export async function layout(boxes: Box[], edges: { source: string; target: string }[], vertical = true): Promise<Positions> {
  const ids = new Set(boxes.map((b) => b.id));
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": vertical ? "DOWN" : "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.spacing.nodeNode": "36",
      "elk.edgeRouting": "SPLINES",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
    },
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const done = await (await engine()).layout(graph);
  return Object.fromEntries((done.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
