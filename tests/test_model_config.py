import pytest

from nettune.errors import ConfigError
from nettune.models import build_model, count_parameters
from nettune.space.model_config import ModelConfig


def test_json_round_trip_under_1kb(cnn_config):
    text = cnn_config.to_json()
    assert len(text.encode()) < 1024
    assert ModelConfig.from_json(text) == cnn_config


def test_too_many_blocks_for_input_is_rejected_with_reason():
    with pytest.raises(ConfigError, match="shrink a 12px input below 1px"):
        ModelConfig(family="cnn", dataset="x", input_shape=(1, 12, 12), num_classes=4, filters=(8, 8, 8, 8))


def test_unknown_field_is_rejected():
    with pytest.raises(ConfigError, match="unknown model config field"):
        ModelConfig.from_dict({"family": "cnn", "dataset": "x", "input_shape": [1, 8, 8], "num_classes": 2,
                               "filters": [4], "learning_rat": 0.1})


def test_dense_layers_taper(cnn_config):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "dense_layers": 3, "dense_units": 256})
    assert cfg.dense_sizes == (256, 128, 64)


@pytest.mark.parametrize("pooling", ["max", "global"])
@pytest.mark.parametrize("act", ["relu", "tanh", "gelu"])
def test_cnn_builds_and_runs(cnn_config, pooling, act):
    import torch

    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "pooling": pooling, "activation": act, "convs_per_block": 2})
    model = build_model(cfg)
    assert model(torch.randn(3, 1, 12, 12)).shape == (3, 4)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_lstm_builds_and_runs(pooling):
    import torch

    cfg = ModelConfig(family="lstm", dataset="t", input_shape=(16,), num_classes=3, vocab_size=50, embedding_dim=8,
                      lstm_units=12, lstm_layers=2, bidirectional=True, sequence_pooling=pooling, dropout=0.2)
    model = build_model(cfg)
    assert model(torch.randint(0, 50, (5, 16))).shape == (5, 3)
    assert model.head[0].in_features == 24  # bidirectional doubles the features
