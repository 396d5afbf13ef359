// The architecture of a trial or the best model, as the 2-D graph (the default, and the fallback without WebGL)
// or the 3-D explorer with its forward pass. The 3-D code (three.js) is a separate chunk, fetched on first use.
import { Suspense, lazy, useState } from "react";

import type { ArchitectureGraph as Graph } from "../api/types";
import { ArchitectureGraph } from "./ArchitectureGraph";

const Architecture3D = lazy(() => import("./arch3d/Architecture3D"));

type View = "2d" | "3d";

interface Props {
  graph: Graph;
  jobId: string;
  trial: number | null; // null: the best model
  playable: boolean; // a completed trial with a saved model: its forward pass can be played
}

/** WebGL, asked once per page: a canvas with no GL context means the 3-D view cannot draw. */
let webgl: boolean | undefined;
function hasWebGL(): boolean {
  if (webgl === undefined) {
    try {
      const canvas = document.createElement("canvas");
      webgl = Boolean(canvas.getContext("webgl2") ?? canvas.getContext("webgl"));
    } catch {
      webgl = false;
    }
  }
  return webgl;
}

export function ArchitectureView({ graph, jobId, trial, playable }: Props) {
  const [view, setView] = useState<View>("2d");
  const [noWebGL, setNoWebGL] = useState(false);
  const choose = (next: View) => {
    if (next === "3d" && !hasWebGL()) {
      setNoWebGL(true);
      return;
    }
    setView(next);
  };
  return (
    <div className="arch-view" data-testid="arch-view" data-view={view}>
      <div className="segmented" role="group" aria-label="Architecture view">
        <button type="button" aria-pressed={view === "2d"} onClick={() => choose("2d")}>2D graph</button>
        <button type="button" aria-pressed={view === "3d"} onClick={() => choose("3d")}>3D view</button>
      </div>
      {noWebGL && (
        <p className="form-error small" role="status" data-testid="no-webgl">
          This browser has no WebGL, so the 3D view cannot be drawn; the 2D graph shows the same layers.
        </p>
      )}
      {view === "2d" ? <ArchitectureGraph graph={graph} /> : (
        <Suspense fallback={<p className="muted">Loading the 3D view…</p>}>
          <Architecture3D graph={graph} jobId={jobId} trial={trial} playable={playable} />
        </Suspense>
      )}
    </div>
  );
}
