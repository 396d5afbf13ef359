"""export_onnx: a saved trial model -> one self-contained model.onnx with a dynamic batch axis, verified.

The torch.export-based ("dynamo") exporter is used first: it is torch 2.13's default and the TorchScript
exporter (dynamo=False) is deprecated. Both produce matching graphs for nettune's CNNs and LSTMs; the
TorchScript one is kept as a fallback for a model the dynamo path cannot trace. Either way the file is
only kept after onnxruntime reproduces PyTorch's logits on fresh inputs of several batch sizes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import torch
from torch import nn

from nettune.export.errors import ExportError
from nettune.export.parity import check_parity, sample_inputs
from nettune.models.io import load_model
from nettune.space.model_config import ModelConfig

log = logging.getLogger("nettune.export")

ONNX_FILE = "model.onnx"
INPUT_NAME, OUTPUT_NAME = "input", "logits"
EXAMPLE_BATCH = 2  # not 1: torch.export specializes a size-1 dimension and the batch axis would not be dynamic
Exporter = Literal["dynamo", "torchscript"]


def export_onnx(model_dir: Path, out: Path | None = None, *, exporter: Exporter | None = None,
                atol: float = 1e-4) -> Path:
    """Export `model_dir` (a trial directory with model.pt + model_config.json) to `out`
    (default model_dir/model.onnx). `exporter=None` tries dynamo, then torchscript."""
    model_dir = Path(model_dir)
    model = load_model(model_dir, "cpu")
    cfg: ModelConfig = model.config  # type: ignore[assignment]
    out = Path(out) if out is not None else model_dir / ONNX_FILE
    order: tuple[Exporter, ...] = (exporter,) if exporter else ("dynamo", "torchscript")
    failures: list[str] = []
    for name in order:
        tmp = out.with_name(out.name + ".tmp")
        try:
            _export(model, cfg, tmp, name)
            check_parity(model, cfg, tmp, atol=atol)
        except ExportError as exc:
            failures.append(f"{name}: {exc}")
            tmp.unlink(missing_ok=True)
            continue
        except Exception as exc:  # exporter internals raise anything; the next exporter may still succeed
            failures.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            tmp.unlink(missing_ok=True)
            continue
        tmp.replace(out)
        log.info("exported %s with the %s exporter to %s", model_dir, name, out)
        return out
    raise ExportError(f"ONNX export of {model_dir} failed: " + "; ".join(failures))


def _export(model: nn.Module, cfg: ModelConfig, path: Path, exporter: Exporter) -> None:
    example = sample_inputs(cfg, EXAMPLE_BATCH, seed=0)
    common = {"input_names": [INPUT_NAME], "output_names": [OUTPUT_NAME], "verbose": False}
    # Exporters print progress and deprecation notes; a library call must not write to the user's terminal.
    with _quiet():
        if exporter == "dynamo":
            batch = torch.export.Dim("batch", min=1, max=1 << 16)
            torch.onnx.export(model, (example,), str(path), dynamo=True, external_data=False,
                              dynamic_shapes=({0: batch},), **common)
        else:
            torch.onnx.export(model, (example,), str(path), dynamo=False,
                              dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}}, **common)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    onnx_logger = logging.getLogger("torch.onnx")
    level = onnx_logger.level
    onnx_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        onnx_logger.setLevel(level)
