import { describe, expect, it } from "vitest";

import detailFixture from "../test/fixtures/trial_detail.json";
import type { ArchitectureGraph } from "../api/types";
import { BAR, GAP, axisLength, blockColour, blockSize, layoutBlocks, legendEntries, railLength } from "./blocks3d";
import { kindColor } from "./graphLayout";

const graph = (detailFixture as unknown as { graph: ArchitectureGraph }).graph;

describe("3-D block sizing from tensor shapes", () => {
  it("draws feature maps as W×H slabs, thicker with more channels", () => {
    const few = blockSize([8, 28, 14]);
    const many = blockSize([64, 28, 14]);
    expect(few).toMatchObject({ form: "maps", width: axisLength(14), height: axisLength(28) });
    expect(many.width).toBe(few.width);
    expect(many.depth - few.depth).toBeCloseTo(0.35 * 3); // three more doublings of the channels
  });
  it("draws vectors as bars and sequences as sheets, log-scaled", () => {
    expect(blockSize([256])).toEqual({ form: "bar", width: BAR, depth: BAR, height: 9 });
    expect(blockSize([10]).height).toBeCloseTo(1 + Math.log2(10));
    expect(blockSize([50, 128])).toMatchObject({ form: "sheet", width: axisLength(50), height: 8 });
    expect(blockSize([]).form).toBe("point");
  });
  it("puts a real graph's layers one after another on a rail centred on the origin", () => {
    const blocks = layoutBlocks(graph);
    expect(blocks.map((b) => b.id)).toEqual(graph.elements.nodes.map((n) => n.data.id));
    for (let i = 1; i < blocks.length; i++) {
      const gap = blocks[i].z - blocks[i].size.depth / 2 - (blocks[i - 1].z + blocks[i - 1].size.depth / 2);
      expect(gap).toBeCloseTo(GAP);
    }
    const first = blocks[0].z - blocks[0].size.depth / 2;
    expect(first + railLength(blocks) / 2).toBeCloseTo(0);
  });
});

describe("3-D colours and legend", () => {
  it("lists only the kinds this network has, one entry per colour", () => {
    const entries = legendEntries(graph);
    const kinds = entries.flatMap((e) => e.kinds);
    expect(new Set(kinds)).toEqual(new Set(graph.elements.nodes.map((n) => n.data.kind)));
    expect(kinds).not.toContain("lstm");
    expect(new Set(entries.map((e) => e.colour)).size).toBe(entries.length);
    // relu and flatten share the 2-D graph's colour, so they share an entry that names both.
    expect(entries.find((e) => e.kinds.includes("relu"))?.label).toBe("ReLU, flatten");
    expect(entries[0]).toEqual({ colour: kindColor("input"), label: "input", kinds: ["input"] });
  });
  it("colours by kind, or by health with the input always by kind", () => {
    const conv = graph.elements.nodes.find((n) => n.data.kind === "conv")!.data;
    const input = graph.elements.nodes[0].data;
    expect(blockColour(conv, "kind")).toBe(kindColor("conv"));
    expect(blockColour(conv, "health")).toMatch(/^hsl\(/);
    expect(blockColour(input, "health")).toBe(kindColor("input"));
  });
});
