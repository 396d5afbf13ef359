// Pure geometry and colour of the 3-D architecture view: one block per layer, sized from its output tensor.
// Feature maps (C, H, W) are W×H slabs whose thickness grows with the channels; vectors (dense, LSTM summaries)
// are tall thin bars; sequences (T, F) are flat T×F sheets. Sizes are log-scaled like the server's layout3d
// hints, so a 784-unit layer and a 10-unit classifier both stay visible in one scene.
import type { ArchitectureGraph, GraphNodeData } from "../api/types";
import { healthColor, kindColor, nodeHealth } from "./graphLayout";

export const GAP = 1.2; // scene units between consecutive blocks along the rail (z)
export const BAR = 0.6; // width and depth of a vector's bar
const MIN_SLAB = 0.25; // thinnest slab: one-channel maps
const CHANNEL_DEPTH = 0.35; // slab thickness per doubling of the channels
export const UNMEASURED = "#9aa5b4";

export type BlockForm = "maps" | "bar" | "sheet" | "point";

export interface BlockSize {
  width: number;
  height: number;
  depth: number;
  form: BlockForm;
}

/** log-scaled length of an axis of n elements, as the server's layout hints: 1 + log2(n). */
export function axisLength(n: number): number {
  return 1 + Math.log2(Math.max(1, n));
}

export function blockSize(shape: number[]): BlockSize {
  if (shape.length >= 3) {
    const channels = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    return { width: axisLength(shape[shape.length - 1]), height: axisLength(shape[shape.length - 2]),
      depth: MIN_SLAB + CHANNEL_DEPTH * Math.log2(Math.max(1, channels)), form: "maps" };
  }
  if (shape.length === 2) return { width: axisLength(shape[0]), height: axisLength(shape[1]), depth: MIN_SLAB, form: "sheet" };
  if (shape.length === 1) return { width: BAR, height: axisLength(shape[0]), depth: BAR, form: "bar" };
  return { width: BAR, height: BAR, depth: BAR, form: "point" };
}

export interface Block {
  id: string;
  index: number;
  data: GraphNodeData;
  size: BlockSize;
  z: number; // centre along the rail
}

/** Blocks along z in data-flow order, centred on the origin so orbiting turns around the middle. */
export function layoutBlocks(graph: ArchitectureGraph): Block[] {
  let z = 0;
  const blocks = graph.elements.nodes.map((node, index) => {
    const size = blockSize(node.data.output_shape ?? []);
    const block = { id: node.data.id, index, data: node.data, size, z: z + size.depth / 2 };
    z += size.depth + GAP;
    return block;
  });
  const middle = (z - GAP) / 2;
  return blocks.map((b) => ({ ...b, z: b.z - middle }));
}

/** Length of the whole rail: the camera backs off far enough to see it. */
export function railLength(blocks: Block[]): number {
  if (!blocks.length) return 0;
  const last = blocks[blocks.length - 1];
  return last.z + last.size.depth / 2 - (blocks[0].z - blocks[0].size.depth / 2);
}

export type ColourMode = "kind" | "health";

export function blockColour(data: GraphNodeData, mode: ColourMode): string {
  if (mode === "kind" || data.kind === "input") return kindColor(data.kind);
  const health = nodeHealth(data);
  return health == null ? UNMEASURED : healthColor(health);
}

const KIND_NAMES: Record<string, string> = {
  input: "input", conv: "convolution", linear: "dense", lstm: "LSTM", gru: "GRU", embedding: "embedding",
  norm: "normalisation", dropout: "dropout", flatten: "flatten", relu: "ReLU", leakyrelu: "leaky ReLU",
  gelu: "GELU", silu: "SiLU", tanh: "tanh", sigmoid: "sigmoid", maxpool2d: "max pooling",
  avgpool2d: "average pooling", adaptiveavgpool2d: "global average pooling",
};

export function kindName(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}

export interface LegendEntry {
  colour: string;
  label: string; // the kinds of this colour present in the network, in data-flow order
  kinds: string[];
}

/** One entry per colour, naming only the layer kinds this network has (first appearance order). */
export function legendEntries(graph: ArchitectureGraph): LegendEntry[] {
  const entries: LegendEntry[] = [];
  for (const node of graph.elements.nodes) {
    const kind = node.data.kind;
    const colour = kindColor(kind);
    const entry = entries.find((e) => e.colour === colour);
    if (!entry) entries.push({ colour, label: kindName(kind), kinds: [kind] });
    else if (!entry.kinds.includes(kind)) {
      entry.kinds.push(kind);
      entry.label = entry.kinds.map(kindName).join(", ");
    }
  }
  return entries;
}
