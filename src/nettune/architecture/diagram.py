"""The architecture graph (describe()) as a vector diagram, SVG or PDF: one box per layer, top to bottom, with its
type, output shape and parameters, coloured by kind, and a legend of the kinds this network has.

Each layer's box carries the SVG id `layer-<node id>`, so a diagram can be checked (and styled) layer by layer.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

Format = Literal["svg", "pdf"]
KIND_COLORS = {"input": "#64748b", "conv": "#2563eb", "linear": "#7c3aed", "lstm": "#0891b2", "gru": "#0891b2",
               "embedding": "#0d9488", "norm": "#94a3b8", "dropout": "#a8a29e", "pool": "#0f766e"}
OTHER_COLOR = "#d97706"  # activations, flatten, pooling over sequences, ...
ROW = 0.62  # inches per layer


def kind_color(kind: str) -> str:
    return KIND_COLORS.get(kind) or (KIND_COLORS["pool"] if "pool" in kind else OTHER_COLOR)


def render_diagram(graph: dict[str, Any], fmt: Format, title: str | None = None) -> bytes:
    nodes = [n["data"] for n in graph["elements"]["nodes"]]
    model = graph.get("model", {})
    height = ROW * len(nodes) + 1.6
    fig = plt.figure(figsize=(8.0, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 8)
    ax.set_ylim(0, height)
    ax.axis("off")
    head = title or f"{str(model.get('family', '')).upper()} — {model.get('total_params', 0):,} parameters"
    ax.text(0.3, height - 0.45, head, fontsize=12, fontweight="bold", va="center")
    for i, node in enumerate(nodes):
        y = height - 1.1 - i * ROW
        box = FancyBboxPatch((0.3, y - 0.22), 4.6, 0.44, boxstyle="round,pad=0.02,rounding_size=0.08",
                             facecolor=kind_color(node.get("kind", "")), edgecolor="#1f2937", linewidth=0.6,
                             gid=f"layer-{node['id']}")
        ax.add_patch(box)
        ax.text(0.45, y, str(node.get("label") or node.get("type")), color="white", fontsize=9, va="center")
        shape = "×".join(str(v) for v in node.get("output_shape") or [])
        params = int(node.get("params") or 0)
        detail = f"{shape}" + (f"   {params:,} params" if params else "")
        ax.text(5.05, y, detail, fontsize=8.5, va="center", color="#111827")
        ax.text(5.05, y - 0.17, str(node.get("name", "")), fontsize=6.5, va="center", color="#6b7280")
        if i:
            ax.add_patch(FancyArrowPatch((2.6, y + ROW - 0.22), (2.6, y + 0.22), arrowstyle="-|>", mutation_scale=8,
                                         color="#374151", linewidth=0.6))
    kinds = list(dict.fromkeys(n.get("kind", "") for n in nodes))
    ax.legend(handles=[Patch(facecolor=kind_color(k), edgecolor="#1f2937", label=k) for k in kinds],
              loc="upper right", bbox_to_anchor=(0.985, 0.995), fontsize=8, frameon=False, title="layer kinds",
              title_fontsize=8)
    out = io.BytesIO()
    fig.savefig(out, format=fmt, metadata={"Title": head} if fmt == "pdf" else None)
    plt.close(fig)
    return out.getvalue()
