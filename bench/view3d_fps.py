"""Frame rate of the dashboard's 3-D architecture view while orbiting the largest CNN the search space builds.

    .venv/bin/python bench/view3d_fps.py [--seconds 6] [--repeats 3]

Builds the view alone on a page (web/e2e/view3d: the dashboard's own component, bundled by Vite), writes the
largest CNN's describe() graph beside it (bench/view3d_graph.py), and runs bench/view3d_fps.mjs in headless
Chromium (WebGL through SwiftShader, on the CPU): the mouse orbits the view without pause while the page counts
requestAnimationFrame callbacks. Writes bench/results/view3d_fps.json. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, write_result
from view3d_graph import largest_cnn

from nettune.architecture import describe

TARGET_FPS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="orbiting time per run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    web = REPO / "web"
    with tempfile.TemporaryDirectory(prefix="view3d-bench-") as tmp:
        page = Path(tmp) / "page"
        subprocess.run(["npx", "vite", "build", "e2e/view3d", "--config", "vite.config.ts", "--outDir", str(page),
                        "--emptyOutDir", "--base", "./", "--logLevel", "warn"], cwd=web, check=True)
        cfg = largest_cnn()
        graph = describe(cfg)
        (page / "graph.json").write_text(json.dumps(graph))
        runs = []
        for repeat in range(args.repeats):
            out = Path(tmp) / f"run{repeat}.json"
            subprocess.run(["node", str(REPO / "bench" / "view3d_fps.mjs"), str(page), str(out), str(args.seconds)],
                           check=True, env=os.environ)
            runs.append(json.loads(out.read_text()))
    fps = statistics.median(r["per_frame"]["raf_fps"] for r in runs)
    drawn = statistics.median(r["per_frame"]["drawn_fps"] for r in runs)
    synced = statistics.median(r["gpu_synced"]["fps"] for r in runs)
    model = graph["model"]
    command = f"python bench/view3d_fps.py --seconds {args.seconds:g} --repeats {args.repeats}"
    load = os.getloadavg()[0]
    write_result("view3d_fps", {
        "command": command, "config": cfg.to_dict(), "layers": model["layers"], "params": model["total_params"],
        "runs": runs, "median_raf_fps": fps, "median_drawn_fps": drawn, "median_gpu_synced_fps": synced,
        "target_fps": TARGET_FPS, "load_average_1min_after": round(load, 2),
        "section": {
            "title": "3-D architecture view: frame rate while orbiting (headless Chromium, SwiftShader)",
            "text": [f"The largest CNN the search space builds ({cfg.dataset}, filters {list(cfg.filters)}, two "
                     f"convolutions per block, {model['layers']} layers, {model['total_params']:,} parameters), "
                     f"orbited for {args.seconds:g} s per run with the mouse button held and a pointer move in every "
                     "animation frame (so every frame draws a new view); frame rate counted with "
                     "requestAnimationFrame, and frames the view drew; then the same with each frame waiting until "
                     "the GPU has finished it (a one-pixel readback). Also a real Playwright mouse circling as fast "
                     "as it can (its input rate, not the drawing, limits those frames). WebGL runs on the CPU "
                     f"(SwiftShader), the slowest case a browser has. Target ≥ {TARGET_FPS:g} fps. 1-minute load "
                     f"average after the runs: {load:.2f} (2 cores shared with other work). Reproduce: `{command}`"],
            "columns": ["run", "rAF fps (move every frame)", "frames drawn per s", "frame ms median / p95",
                        "fps waiting for the GPU each frame", "real mouse: rAF fps / drawn per s / moves",
                        "canvas px"],
            "rows": [[i + 1, r["per_frame"]["raf_fps"], r["per_frame"]["drawn_fps"],
                      f"{r['per_frame']['frame_ms_median']} / {r['per_frame']['frame_ms_p95']}",
                      r["gpu_synced"]["fps"],
                      f"{r['real_pointer']['raf_fps']} / {r['real_pointer']['drawn_fps']} / "
                      f"{r['real_pointer']['pointer_moves']}", "×".join(map(str, r["canvas_px"]))]
                     for i, r in enumerate(runs)]
                    + [["median", f"**{fps}**", drawn, "", synced, "", ""]],
        },
    })


if __name__ == "__main__":
    main()
