import { describe, expect, it } from "vitest";

import detailFixture from "../test/fixtures/trial_detail.json";
import type { ArchitectureGraph } from "../api/types";
import { healthColor, nodesPerRow, serpentine, toCyElements } from "./graphLayout";

describe("architecture graph layout", () => {
  it("snakes rows left-right then right-left", () => {
    const p = serpentine(5, 2);
    expect(p.map((q) => q.y)).toEqual([0, 0, 92, 92, 184]);
    expect(p[2].x).toBeGreaterThan(p[3].x);
  });
  it("fits more nodes per row on wider screens", () => {
    expect(nodesPerRow(360)).toBeLessThan(nodesPerRow(1000));
    expect(nodesPerRow(100)).toBe(2);
  });
  it("keeps every node and edge of a real graph, coloured by health when it has it", () => {
    const graph = (detailFixture as unknown as { graph: ArchitectureGraph }).graph;
    const elements = toCyElements(graph, 600);
    expect(elements.filter((e) => e.group === "nodes").length).toBe(graph.elements.nodes.length);
    expect(elements.filter((e) => e.group === "edges").length).toBe(graph.elements.edges.length);
    expect(elements.some((e) => String(e.data.color).startsWith("hsl"))).toBe(true);
    expect(healthColor(1)).toBe("hsl(120, 65%, 42%)");
    expect(healthColor(0)).toBe("hsl(0, 65%, 42%)");
  });
});
