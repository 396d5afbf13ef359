"""The architecture graph (describe() JSON) of the largest CNN the search space can produce, on stdout.

Largest = most layers and widest: the most conv blocks any built-in image dataset allows, the widest base filters,
two convolutions per block, the one dense layer at its widest, dropout on, and the dataset with the most classes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from nettune.architecture import describe
from nettune.data.catalog import SPECS
from nettune.data.types import DatasetInfo
from nettune.space.model_config import ModelConfig
from nettune.space.search_space import BASE_FILTERS, DENSE_CHOICES, conv_block_range


def largest_cnn() -> ModelConfig:
    infos = [DatasetInfo(s.name, "image", s.num_classes, s.class_names, s.image_shape) for s in SPECS.values()
             if s.modality == "image" and s.image_shape]
    info = max(infos, key=lambda i: (conv_block_range(i)[1], i.input_shape[1] * i.input_shape[2], i.num_classes))
    blocks = conv_block_range(info)[1]
    return ModelConfig(family="cnn", dataset=info.name, input_shape=info.input_shape, num_classes=info.num_classes,
                       filters=tuple(max(BASE_FILTERS) * 2**i for i in range(blocks)), convs_per_block=2,
                       kernel_size=3, batch_norm=True, pooling="max", dense_layers=1, dense_units=max(DENSE_CHOICES),
                       dropout=0.4, activation="relu")


def main() -> None:
    cfg = largest_cnn()
    graph: dict[str, Any] = describe(cfg)
    graph["bench_config"] = cfg.to_dict()
    json.dump(graph, sys.stdout)


if __name__ == "__main__":
    main()
