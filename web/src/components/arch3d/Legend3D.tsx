// The 3-D view's colour key: the layer kinds this network has, or the health scale.
import type { ArchitectureGraph } from "../../api/types";
import { type ColourMode, UNMEASURED, legendEntries } from "../../lib/blocks3d";
import { healthColor, kindColor } from "../../lib/graphLayout";

export function Legend3D({ graph, mode }: { graph: ArchitectureGraph; mode: ColourMode }) {
  if (mode === "health") {
    return (
      <ul className="legend3d" data-testid="legend-3d" aria-label="Colour key">
        <li><span className="chip" style={{ background: kindColor("input") }} />input</li>
        <li><span className="chip" style={{ background: healthColor(1) }} />healthy</li>
        <li><span className="chip" style={{ background: healthColor(0.5) }} />fair</li>
        <li><span className="chip" style={{ background: healthColor(0) }} />dead units or bad gradients</li>
        <li><span className="chip" style={{ background: UNMEASURED }} />not measured</li>
      </ul>
    );
  }
  return (
    <ul className="legend3d" data-testid="legend-3d" aria-label="Colour key">
      {legendEntries(graph).map((entry) => (
        <li key={entry.colour} data-kinds={entry.kinds.join(" ")}>
          <span className="chip" style={{ background: entry.colour }} />
          {entry.label}
        </li>
      ))}
    </ul>
  );
}
