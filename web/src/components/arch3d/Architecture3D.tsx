// The 3-D architecture explorer (loaded on demand: three.js stays out of the first page's JavaScript). Drag to
// orbit, wheel or pinch to zoom, right-drag or two fingers to pan; hover a block for its name, click it for the
// same layer details as the 2-D graph. Below it, the forward pass of one real test example.
import { useEffect, useMemo, useRef, useState } from "react";

import type { ArchitectureGraph, GraphNodeData } from "../../api/types";
import { type ColourMode, blockColour, layoutBlocks } from "../../lib/blocks3d";
import { colouredByHealth, shapeText } from "../../lib/graphLayout";
import { LayerPanel } from "../LayerPanel";
import { ForwardPass } from "./ForwardPass";
import { Legend3D } from "./Legend3D";
import { type SceneHandle, createScene } from "./scene";

const CLICK_SLOP = 5; // pixels a pointer may move between down and up and still be a click, not a drag

interface Props {
  graph: ArchitectureGraph;
  jobId: string;
  trial: number | null; // null: the best model
  playable: boolean; // the trial completed and saved a model
}

interface Hover {
  index: number;
  x: number;
  y: number;
}

export default function Architecture3D({ graph, jobId, trial, playable }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const [scene, setScene] = useState<SceneHandle | null>(null);
  const byHealth = colouredByHealth(graph);
  const [mode, setMode] = useState<ColourMode>("kind");
  const [hover, setHover] = useState<Hover | null>(null);
  const [selected, setSelected] = useState<GraphNodeData | null>(null);
  const blocks = useMemo(() => layoutBlocks(graph), [graph]);
  const colours = useMemo(() => blocks.map((b) => blockColour(b.data, mode)), [blocks, mode]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const handle = createScene(element, blocks, blocks.map((b) => blockColour(b.data, "kind")));
    // For end-to-end tests and benchmarks: where a block is on screen, how many frames were drawn.
    (element as HTMLElement & { __arch3d?: SceneHandle }).__arch3d = handle;
    setScene(handle);
    return () => {
      setScene(null);
      handle.dispose();
    };
  }, [blocks]);

  useEffect(() => scene?.setColours(colours), [scene, colours]);

  useEffect(() => {
    const element = container.current;
    if (!element || !scene) return;
    let down: { x: number; y: number } | null = null;
    const onDown = (e: PointerEvent) => (down = { x: e.clientX, y: e.clientY });
    const onMove = (e: PointerEvent) => {
      if (e.buttons) return setHover(null); // orbiting: no labels chasing the pointer
      const index = scene.pick(e.clientX, e.clientY);
      const box = element.getBoundingClientRect();
      setHover(index == null ? null : { index, x: e.clientX - box.left, y: e.clientY - box.top });
    };
    const onUp = (e: PointerEvent) => {
      if (!down || Math.hypot(e.clientX - down.x, e.clientY - down.y) > CLICK_SLOP) return;
      const index = scene.pick(e.clientX, e.clientY);
      setSelected(index == null ? null : blocks[index].data);
      scene.highlight(index);
    };
    const onLeave = () => setHover(null);
    element.addEventListener("pointerdown", onDown);
    element.addEventListener("pointermove", onMove);
    element.addEventListener("pointerup", onUp);
    element.addEventListener("pointerleave", onLeave);
    return () => {
      element.removeEventListener("pointerdown", onDown);
      element.removeEventListener("pointermove", onMove);
      element.removeEventListener("pointerup", onUp);
      element.removeEventListener("pointerleave", onLeave);
    };
  }, [scene, blocks]);

  const hovered = hover ? blocks[hover.index]?.data : null;
  return (
    <div className="arch3d">
      <div className="arch3d-bar">
        <span className="muted small">Colour by</span>
        <div className="segmented" role="group" aria-label="Colour blocks by">
          <button type="button" aria-pressed={mode === "kind"} onClick={() => setMode("kind")}>layer kind</button>
          <button type="button" aria-pressed={mode === "health"} onClick={() => setMode("health")} disabled={!byHealth}
            title={byHealth ? undefined : "This graph has no per-layer health"}>health</button>
        </div>
        <Legend3D graph={graph} mode={mode} />
      </div>
      <div className="arch3d-canvas" ref={container} data-testid="arch-3d" aria-label="3-D architecture view"
        role="img">
        {hovered && hover && (
          <div className="arch3d-label" data-testid="arch-3d-label" style={{ left: hover.x + 12, top: hover.y + 12 }}>
            <strong>{hovered.label}</strong>
            <span>{shapeText(hovered.output_shape)}</span>
          </div>
        )}
      </div>
      <p className="muted small">
        Drag to orbit, scroll or pinch to zoom, right-drag or two fingers to pan. Each block is one layer's output:
        feature maps as width × height slabs (thicker with more channels), dense and LSTM layers as bars. Click a
        block for its details.
      </p>
      {selected && <LayerPanel layer={selected} />}
      {scene && <ForwardPass scene={scene} blocks={blocks} jobId={jobId} trial={trial} playable={playable} />}
    </div>
  );
}
