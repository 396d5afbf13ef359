"""forward_pass(): a real model's per-layer outputs on one example, within the documented size limits."""

import base64

import numpy as np
import torch

from nettune.architecture import describe
from nettune.architecture.activations import LIMITS, MAX_CHANNELS, MAX_MAP_SIDE, MAX_UNITS, forward_pass, quantize
from nettune.models import build_model
from nettune.space.model_config import ModelConfig

# Wider and larger than the limits on purpose: 64 channels of 40x40 maps, a 256-unit dense layer.
BIG_CNN = ModelConfig(family="cnn", dataset="cifar10", input_shape=(3, 40, 40), num_classes=10, filters=(64, 128),
                      convs_per_block=1, dense_layers=1, dense_units=256)
LSTM = ModelConfig(family="lstm", dataset="imdb", input_shape=(30,), num_classes=2, vocab_size=100, embedding_dim=16,
                   lstm_units=80, lstm_layers=1, bidirectional=False, dense_units=32)


def decoded(layer):
    return np.frombuffer(base64.b64decode(layer["data"]), dtype=np.uint8)


def test_cnn_layers_match_the_graph_and_stay_within_limits():
    torch.manual_seed(0)
    model = build_model(BIG_CNN).eval()
    x = torch.randn(3, 40, 40)
    out = forward_pass(model, x, label=3, class_names=[f"c{i}" for i in range(10)])
    graph_ids = [n["data"]["id"] for n in describe(model, input_shape=(3, 40, 40))["elements"]["nodes"][1:]]
    assert [layer["id"] for layer in out["layers"]] == graph_ids
    maps = [layer for layer in out["layers"] if layer["type"] == "maps"]
    assert maps and maps[0]["channels_total"] == 64
    for layer in maps:
        assert len(layer["kept"]) <= MAX_CHANNELS and layer["height"] <= MAX_MAP_SIDE >= layer["width"]
        assert decoded(layer).size == len(layer["kept"]) * layer["height"] * layer["width"]
    units = [layer for layer in out["layers"] if layer["type"] == "units"]
    assert any(layer["units_total"] == 256 and len(layer["kept"]) == MAX_UNITS for layer in units)
    # The prediction is the model's own: the argmax of its logits on this example.
    logits = model(x.unsqueeze(0))[0]
    probabilities = out["prediction"]["probabilities"]
    assert out["prediction"]["label"] == int(logits.argmax()) and abs(sum(probabilities) - 1) < 1e-3
    assert out["prediction"]["true_name"] == "c3" and out["limits"] == LIMITS
    assert out["input"]["type"] == "image" and out["input"]["height"] == 40
    assert len(base64.b64decode(out["input"]["data"])) == 40 * 40 * 3


def test_the_first_conv_summary_is_the_real_output_quantised():
    torch.manual_seed(1)
    model = build_model(BIG_CNN).eval()
    x = torch.randn(3, 40, 40)
    conv = forward_pass(model, x, label=None, class_names=[])["layers"][0]
    real = model.features[0][0](x.unsqueeze(0))[0].detach()  # the first Conv2d, before any in-place activation
    pooled = torch.nn.functional.adaptive_avg_pool2d(real[conv["kept"]].unsqueeze(0), (32, 32))[0].numpy()
    values = conv["min"] + decoded(conv).reshape(pooled.shape) / 255 * (conv["max"] - conv["min"])
    assert np.abs(values - pooled).max() <= (conv["max"] - conv["min"]) / 255
    strength = real.abs().mean(dim=(1, 2))
    assert set(conv["kept"]) == set(torch.argsort(strength, descending=True)[:MAX_CHANNELS].tolist())


def test_lstm_input_tokens_and_last_step_units():
    torch.manual_seed(0)
    model = build_model(LSTM).eval()
    tokens = torch.tensor([0] * 10 + list(range(2, 22)))
    vocabulary = ["<pad>", "<unk>"] + [f"w{i}" for i in range(2, 100)]
    out = forward_pass(model, tokens, label=1, class_names=["negative", "positive"], vocabulary=vocabulary)
    assert out["input"] == {"type": "tokens", "tokens": [f"w{i}" for i in range(2, 22)], "tokens_total": 20}
    lstm = next(layer for layer in out["layers"] if layer["name"] == "lstm")
    assert lstm["type"] == "units" and lstm["step"] == "last" and lstm["units_total"] == 80
    assert len(lstm["kept"]) == MAX_UNITS and decoded(lstm).size == MAX_UNITS


def test_quantize_round_trip_and_flat_input():
    values = np.array([-1.0, 0.0, 0.5, 3.0], dtype=np.float32)
    low, high, data = quantize(values)
    back = low + np.frombuffer(base64.b64decode(data), np.uint8) / 255 * (high - low)
    assert (low, high) == (-1.0, 3.0) and np.abs(back - values).max() <= 4 / 255
    assert quantize(np.full(3, 2.0))[:2] == (2.0, 2.0)
