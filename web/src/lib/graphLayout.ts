// Positions for the layer chain of an architecture graph. The server's preset layout is one long row; a
// serpentine (left to right, then right to left on the next row) keeps a 15-layer model readable in a
// narrow panel or on a phone.
import type { ArchitectureGraph, GraphNodeData } from "../api/types";

export const NODE_WIDTH = 118;
export const NODE_GAP_X = 34;
export const ROW_HEIGHT = 92;

export function nodesPerRow(containerWidth: number): number {
  return Math.max(2, Math.floor((containerWidth + NODE_GAP_X) / (NODE_WIDTH + NODE_GAP_X)));
}

export function serpentine(count: number, perRow: number): { x: number; y: number }[] {
  return Array.from({ length: count }, (_, index) => {
    const row = Math.floor(index / perRow);
    const column = index % perRow;
    const x = (row % 2 === 0 ? column : perRow - 1 - column) * (NODE_WIDTH + NODE_GAP_X);
    return { x, y: row * ROW_HEIGHT };
  });
}

/** 0 (unhealthy) .. 1 (healthy) when the graph carries health, else null. */
export function nodeHealth(data: GraphNodeData): number | null {
  const basis = data.layout3d?.color_basis;
  const intensity = data.layout3d?.color_intensity;
  if (basis !== "health" || intensity == null || !data.health) return null;
  return intensity;
}

/** Red through amber to green. */
export function healthColor(score: number): string {
  const clamped = Math.max(0, Math.min(1, score));
  const hue = Math.round(clamped * 120);
  return `hsl(${hue}, 65%, 42%)`; // Cytoscape parses only the comma form
}

const KIND_COLORS: Record<string, string> = {
  input: "#64748b",
  conv: "#2563eb",
  linear: "#7c3aed",
  lstm: "#0891b2",
  gru: "#0891b2",
  embedding: "#0d9488",
  norm: "#94a3b8",
  dropout: "#a8a29e",
};

const UNMEASURED = "#9aa5b4";

export function kindColor(kind: string): string {
  if (KIND_COLORS[kind]) return KIND_COLORS[kind];
  if (kind.includes("pool")) return "#0f766e";
  return "#d97706"; // activations and everything else
}

export function shapeText(shape: number[] | undefined): string {
  return shape && shape.length ? shape.join("×") : "";
}

export interface CyElement {
  group: "nodes" | "edges";
  data: Record<string, unknown>;
  position?: { x: number; y: number };
}

/** Whether node colours mean health (a graph with per-layer health) or layer kind. */
export function colouredByHealth(graph: ArchitectureGraph): boolean {
  return graph.elements.nodes.some((node) => nodeHealth(node.data) != null);
}

export function toCyElements(graph: ArchitectureGraph, containerWidth: number): CyElement[] {
  const nodes = graph.elements.nodes;
  const positions = serpentine(nodes.length, nodesPerRow(containerWidth));
  const byHealth = colouredByHealth(graph);
  const out: CyElement[] = nodes.map((node, index) => {
    const health = nodeHealth(node.data);
    const color = !byHealth || node.data.kind === "input" ? kindColor(node.data.kind)
      : health == null ? UNMEASURED : healthColor(health);
    return {
      group: "nodes",
      data: {
        ...node.data,
        display: node.data.kind === "input" ? node.data.label : `${node.data.label}\n${shapeText(node.data.output_shape)}`,
        color,
      },
      position: positions[index],
    };
  });
  for (const edge of graph.elements.edges) out.push({ group: "edges", data: { ...edge.data } });
  return out;
}
