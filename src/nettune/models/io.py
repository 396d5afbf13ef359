"""Save a trained model as weights + config, and load it back without knowing anything else."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from nettune.errors import NettuneError
from nettune.models.build import build_model
from nettune.space.model_config import ModelConfig

WEIGHTS_FILE = "model.pt"
CONFIG_FILE = "model_config.json"


def save_model(model: nn.Module, cfg: ModelConfig, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(state, directory / WEIGHTS_FILE)
    (directory / CONFIG_FILE).write_text(json.dumps(cfg.to_dict(), indent=2))
    return directory


def load_model(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild a saved model from its directory (or its model.pt), in eval mode, with `.config` attached."""
    directory = Path(path)
    if directory.is_file():
        directory = directory.parent
    weights, config = directory / WEIGHTS_FILE, directory / CONFIG_FILE
    if not weights.exists() or not config.exists():
        raise NettuneError(f"no saved model in {directory}: expected {WEIGHTS_FILE} and {CONFIG_FILE}")
    cfg = ModelConfig.from_json(config.read_text())
    model = build_model(cfg)
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    model.config = cfg  # type: ignore[assignment]
    return model.to(device).eval()
