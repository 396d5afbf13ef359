// The interactive architecture graph (Cytoscape.js): click a layer for its shape, parameters and health.
import cytoscape from "cytoscape";
import { useEffect, useRef, useState } from "react";

import type { ArchitectureGraph as Graph, GraphNodeData } from "../api/types";
import { count } from "../lib/format";
import { NODE_WIDTH, ROW_HEIGHT, colouredByHealth, nodesPerRow, shapeText, toCyElements } from "../lib/graphLayout";

const MIN_HEIGHT = 220;
const MAX_HEIGHT = 560;
import { LayerPanel } from "./LayerPanel";

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      shape: "round-rectangle",
      width: NODE_WIDTH,
      height: 52,
      "background-color": "data(color)",
      label: "data(display)",
      color: "#fff",
      "font-size": 11,
      "text-wrap": "wrap",
      "text-max-width": `${NODE_WIDTH - 8}px`,
      "text-valign": "center",
      "text-halign": "center",
      "border-width": 0,
    },
  },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#111827" } },
  {
    selector: "edge",
    style: {
      width: 2,
      "line-color": "#94a3b8",
      "target-arrow-color": "#94a3b8",
      "target-arrow-shape": "triangle",
      "curve-style": "straight",
    },
  },
];

export function ArchitectureGraph({ graph, title }: { graph: Graph; title?: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState<GraphNodeData | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = element.clientWidth || 600;
    // Tall enough that a long model on a narrow screen keeps readable labels.
    const rows = Math.ceil(graph.elements.nodes.length / nodesPerRow(width));
    element.style.height = `${Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, rows * ROW_HEIGHT * 0.9 + 40))}px`;
    const cy = cytoscape({
      container: element,
      elements: toCyElements(graph, width),
      layout: { name: "preset", fit: true, padding: 16 },
      style: STYLE,
      autoungrabify: true,
      boxSelectionEnabled: false,
      // The graph always fits its box; no panning or zooming, so a finger on it still scrolls the page.
      userPanningEnabled: false,
      userZoomingEnabled: false,
    });
    cy.on("tap", "node", (event) => setSelected(event.target.data() as GraphNodeData));
    cy.on("tap", (event) => {
      if (event.target === cy) setSelected(null);
    });
    const resize = new ResizeObserver(() => {
      cy.resize();
      cy.fit(undefined, 16);
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      cy.destroy();
    };
  }, [graph]);

  const model = graph.model;
  return (
    <div className="arch">
      <div className="arch-head">
        {title && <h4>{title}</h4>}
        <span className="muted">
          {model.family.toUpperCase()} · {model.layers} layers · {count(model.total_params)} parameters · input{" "}
          {shapeText(model.input_shape)} · {model.num_classes} classes
        </span>
      </div>
      <div className="arch-canvas" ref={container} data-testid="arch-graph" aria-label="Architecture graph" />
      <p className="muted small">
        Click a layer for its shape, parameters and health.{" "}
        {colouredByHealth(graph)
          ? <>Colour: layer health, <span className="swatch good">green</span> healthy to{" "}
            <span className="swatch poor">red</span> dead units or bad gradients; grey: not measured.</>
          : "Colour: kind of layer."}
      </p>
      {selected && <LayerPanel layer={selected} />}
    </div>
  );
}
