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


@pytest.mark.parametrize("pooling", ["last", "max", "mean_max"])
def test_lstm_builds_and_runs(pooling):
    import torch

    cfg = ModelConfig(family="lstm", dataset="t", input_shape=(16,), num_classes=3, vocab_size=50, embedding_dim=8,
                      lstm_units=12, lstm_layers=2, bidirectional=True, sequence_pooling=pooling, dropout=0.2)
    model = build_model(cfg)
    assert model(torch.randint(0, 50, (5, 16))).shape == (5, 3)
    # bidirectional doubles the features; mean_max puts two summaries side by side
    assert model.head[0].in_features == (48 if pooling == "mean_max" else 24)


def test_mean_max_pooling_ignores_padding():
    import torch

    cfg = ModelConfig(family="lstm", dataset="t", input_shape=(12,), num_classes=2, vocab_size=30, embedding_dim=6,
                      lstm_units=5, lstm_layers=1, bidirectional=False, sequence_pooling="mean_max", dense_layers=0)
    model = build_model(cfg).eval()
    tokens = torch.randint(2, 30, (1, 4))
    short = torch.cat([torch.zeros(1, 8, dtype=torch.long), tokens], dim=1)  # left-padded to 12
    longer_pad = torch.cat([torch.zeros(1, 20, dtype=torch.long), tokens], dim=1)
    # A forward LSTM's state is carried through the pads, so compare pooled features of the real tokens only:
    # the pads' own outputs must not enter the max or the mean.
    outputs, _ = model.lstm(model.embedding(short))
    real = outputs[:, -4:]
    expected = torch.cat([real.max(dim=1).values, real.mean(dim=1)], dim=1)
    from nettune.models.lstm import _mean_max

    pooled = _mean_max(outputs, (short != 0).unsqueeze(-1))
    assert torch.allclose(pooled, expected, atol=1e-6)
    assert model(longer_pad).shape == (1, 2)


def test_unknown_sequence_pooling_is_rejected():
    with pytest.raises(ConfigError, match="sequence_pooling"):
        ModelConfig(family="lstm", dataset="t", input_shape=(8,), num_classes=2, vocab_size=30, embedding_dim=4,
                    lstm_units=4, lstm_layers=1, sequence_pooling="mean")
