import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

import nettune.export.onnx_export as onnx_export
from nettune.export import ExportError, export_onnx
from nettune.models import build_model, load_model, save_model
from nettune.space.model_config import ModelConfig
from nettune.training.device import seed_everything

CNN = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 16, 16), num_classes=10, filters=(8, 16),
                  dense_units=32, dropout=0.2)
LSTM = ModelConfig(family="lstm", dataset="imdb", input_shape=(24,), num_classes=2, vocab_size=50, embedding_dim=8,
                   lstm_units=12, lstm_layers=2, bidirectional=True, sequence_pooling="max", dropout=0.1)


def saved(cfg, directory):
    seed_everything(0)
    model = build_model(cfg)
    if cfg.batch_norm and cfg.family == "cnn":
        # Non-trivial running statistics, so eval-mode batch norm is really exercised by the export.
        with torch.no_grad():
            model.train()
            model(torch.randn(32, *cfg.input_shape) * 2 + 0.5)
    save_model(model, cfg, directory)
    return directory


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]


@pytest.mark.parametrize("cfg", [CNN, LSTM], ids=["cnn", "lstm"])
def test_export_matches_pytorch_with_dynamic_batch(tmp_path, cfg):
    path = export_onnx(saved(cfg, tmp_path))
    assert path == tmp_path / "model.onnx"
    assert not list(tmp_path.glob("*.data")) and not list(tmp_path.glob("*.tmp"))  # one self-contained file
    graph = onnx.load(str(path)).graph
    batch_dim = graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param and not batch_dim.dim_value  # symbolic, not a fixed size
    model = load_model(tmp_path)
    for batch in (1, 3, 17):
        x = torch.randn(batch, *cfg.input_shape) if cfg.family == "cnn" else torch.randint(0, 50, (batch, 24))
        with torch.no_grad():
            expected = model(x).numpy()
        np.testing.assert_allclose(run_onnx(path, x), expected, atol=1e-4)


def test_torchscript_exporter_also_works(tmp_path):
    path = export_onnx(saved(LSTM, tmp_path), tmp_path / "lstm.onnx", exporter="torchscript")
    assert path.name == "lstm.onnx" and path.stat().st_size > 10_000


def test_parity_failure_is_a_clear_error(tmp_path, monkeypatch):
    directory = saved(CNN, tmp_path)
    real_export = onnx_export._export

    def export_a_different_model(model, cfg, path, exporter):
        seed_everything(123)  # other weights: the ONNX graph no longer computes what the saved model does
        real_export(build_model(cfg).eval(), cfg, path, exporter)

    monkeypatch.setattr(onnx_export, "_export", export_a_different_model)
    with pytest.raises(ExportError, match=r"ONNX export of .* failed: torchscript: ONNX output differs from PyTorch"):
        export_onnx(directory, exporter="torchscript")
    assert not (tmp_path / "model.onnx").exists()


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="no saved model"):
        export_onnx(tmp_path)
