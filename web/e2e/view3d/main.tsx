// The dashboard's own 3-D view, alone on a page with the graph in ./graph.json: what bench/view3d_fps.py measures.
import { createRoot } from "react-dom/client";

import type { ArchitectureGraph } from "../../src/api/types";
import Architecture3D from "../../src/components/arch3d/Architecture3D";
import "../../src/styles.css";

fetch("./graph.json")
  .then((r) => r.json())
  .then((graph: ArchitectureGraph) => {
    createRoot(document.getElementById("root")!).render(
      <Architecture3D graph={graph} jobId="bench" trial={null} playable={false} />,
    );
  });
