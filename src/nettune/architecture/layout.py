"""Layout hints for a 3-D (and a simple 2-D) drawing of the layer chain.

Sizes are log-scaled so a 784-feature layer and a 10-unit classifier are both visible in one scene:
an axis of n elements is 1 + log2(n) scene units long. Layers sit one after another along z, each
starting where the previous one ended plus a fixed gap, like slabs on a rail.
"""

from __future__ import annotations

import math
from typing import Any

GAP = 1.5  # scene units between consecutive layers along the depth axis
X_SPACING_2D = 140  # pixels between consecutive nodes in the 2-D Cytoscape "preset" layout


def extent(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(width, height, depth) in elements: images (C, H, W) -> (W, H, C); sequences (T, F) -> (T, F, 1);
    vectors (F,) -> (1, F, 1)."""
    if len(shape) >= 3:
        return int(shape[-1]), int(shape[-2]), int(math.prod(shape[:-2]))
    if len(shape) == 2:
        return int(shape[0]), int(shape[1]), 1
    if len(shape) == 1:
        return 1, int(shape[0]), 1
    return 1, 1, 1


def scene_length(elements: int) -> float:
    return round(1.0 + math.log2(max(1, elements)), 3)


def layout_hints(shapes: list[tuple[int, ...]], intensities: list[float], basis: str) -> list[dict[str, Any]]:
    hints: list[dict[str, Any]] = []
    z = 0.0
    for index, (shape, intensity) in enumerate(zip(shapes, intensities, strict=True)):
        width, height, depth = extent(shape)
        size = {"width": scene_length(width), "height": scene_length(height), "depth": scene_length(depth)}
        hints.append({
            "index": index,
            "position": {"x": 0.0, "y": 0.0, "z": round(z, 3)},
            "size": size,
            "extent": {"width": width, "height": height, "depth": depth},
            "color_intensity": round(min(1.0, max(0.0, intensity)), 4),
            "color_basis": basis,
        })
        z += size["depth"] + GAP
    return hints


def position_2d(index: int) -> dict[str, float]:
    return {"x": float(index * X_SPACING_2D), "y": 0.0}
