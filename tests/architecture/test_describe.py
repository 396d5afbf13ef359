import json

import pytest
from torch import nn

from nettune.architecture import architecture_summary, describe
from nettune.errors import NettuneError
from nettune.models import build_model, load_model, save_model
from nettune.space.model_config import ModelConfig

CNN = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8, 16),
                  convs_per_block=2, dense_layers=2, dense_units=64, dropout=0.25)
LSTM = ModelConfig(family="lstm", dataset="imdb", input_shape=(50,), num_classes=2, vocab_size=500, embedding_dim=16,
                   lstm_units=24, lstm_layers=2, bidirectional=True, dense_units=32)


def nodes_of(graph):
    return [node["data"] for node in graph["elements"]["nodes"]]


def assert_valid_cytoscape(graph):
    elements = graph["elements"]
    ids = [node["data"]["id"] for node in elements["nodes"]]
    assert len(ids) == len(set(ids)), "node ids must be unique"
    edge_ids = [edge["data"]["id"] for edge in elements["edges"]]
    assert len(edge_ids) == len(set(edge_ids)) and not set(edge_ids) & set(ids)
    for edge in elements["edges"]:
        assert set(edge["data"]) >= {"id", "source", "target"}
        assert edge["data"]["source"] in ids and edge["data"]["target"] in ids
    for node in elements["nodes"]:
        assert set(node["position"]) == {"x", "y"}
    json.loads(json.dumps(graph, allow_nan=False))  # strict JSON: no NaN, no tensors, no tuples lost


def test_cnn_graph_nodes_shapes_and_parameters():
    model = build_model(CNN)
    graph = describe(CNN)
    nodes = nodes_of(graph)
    leaves = [m for m in model.modules() if next(m.children(), None) is None and not isinstance(m, nn.Identity)]
    assert len(nodes) == 1 + len(leaves)  # the input node plus one per layer
    assert len(graph["elements"]["edges"]) == len(nodes) - 1
    assert_valid_cytoscape(graph)
    assert nodes[0]["type"] == "Input" and nodes[0]["output_shape"] == [1, 28, 28]
    convs = [n for n in nodes if n["type"] == "Conv2d"]
    assert [n["filters"] for n in convs] == [8, 8, 16, 16]
    assert all(n["kernel_size"] == [3, 3] and n["activation"] == "relu" for n in convs)
    assert convs[0]["output_shape"] == [8, 28, 28] and convs[2]["output_shape"] == [16, 14, 14]
    pools = [n for n in nodes if n["type"] == "MaxPool2d"]
    assert [p["output_shape"] for p in pools] == [[8, 14, 14], [16, 7, 7]]
    dense = [n for n in nodes if n["type"] == "Linear"]
    assert [n["units"] for n in dense] == [64, 32, 10]
    assert nodes[-1]["output_shape"] == [10]
    total = sum(p.numel() for p in model.parameters())
    assert graph["model"]["total_params"] == total == sum(n["params"] for n in nodes)
    assert graph["model"]["unassigned_params"] == 0


def test_lstm_graph_and_merged_health_for_stacked_layers():
    health = {
        "overall": 0.7,
        "metrics": {"gradient_health": 0.9},
        "per_layer": [
            {"name": "embedding", "kind": "embedding", "units": 0, "dead": None, "saturated": None,
             "grad_norm_mean": 0.01, "grad_norm_max": 0.05, "grad_score": 1.0},
            {"name": "lstm.l0", "kind": "lstm", "units": 48, "dead": 0.0, "saturated": 0.1,
             "grad_norm_mean": 0.2, "grad_norm_max": 0.4, "grad_score": 0.9},
            {"name": "lstm.l1", "kind": "lstm", "units": 48, "dead": 0.05, "saturated": 0.3,
             "grad_norm_mean": 0.4, "grad_norm_max": 0.8, "grad_score": 0.6},
        ],
    }
    model = build_model(LSTM)
    graph = describe(model, health=health, input_shape=(50,))
    nodes = nodes_of(graph)
    assert_valid_cytoscape(graph)
    assert [n["type"] for n in nodes[:3]] == ["Input", "Embedding", "LSTM"]
    embedding, lstm = nodes[1], nodes[2]
    assert embedding["output_shape"] == [50, 16] and embedding["embedding_dim"] == 16
    assert lstm["output_shape"] == [50, 48] and lstm["units"] == 24 and lstm["bidirectional"] is True
    assert [layer["name"] for layer in lstm["health"]["layers"]] == ["lstm.l0", "lstm.l1"]
    assert lstm["health"]["saturated"] == 0.3 and lstm["health"]["units"] == 96
    assert embedding["health"]["grad_norm_max"] == 0.05
    # Colour follows health: the LSTM's worst figure is saturation 0.3 or grad score 0.6 -> 0.6.
    assert lstm["layout3d"]["color_intensity"] == pytest.approx(0.6)
    assert lstm["layout3d"]["color_basis"] == "health"
    assert graph["health"]["overall"] == 0.7
    assert graph["model"]["total_params"] == sum(p.numel() for p in model.parameters()) == sum(
        n["params"] for n in nodes)


def test_layout_hints_follow_tensor_shapes_in_data_flow_order():
    nodes = nodes_of(describe(CNN))
    hints = [n["layout3d"] for n in nodes]
    assert [h["index"] for h in hints] == list(range(len(nodes)))
    z = [h["position"]["z"] for h in hints]
    assert z == sorted(z) and len(set(z)) == len(z)
    conv = next(n for n in nodes if n["type"] == "Conv2d")
    assert conv["layout3d"]["extent"] == {"width": 28, "height": 28, "depth": 8}
    assert nodes[-1]["layout3d"]["extent"] == {"width": 1, "height": 10, "depth": 1}
    # Without health, colour shows each layer's share of the largest layer's parameters.
    biggest = max(nodes, key=lambda n: n["params"])
    assert biggest["layout3d"]["color_intensity"] == 1.0 and nodes[0]["layout3d"]["color_intensity"] == 0.0


def test_describe_accepts_a_saved_model_and_a_config_dict(tmp_path):
    save_model(build_model(CNN), CNN, tmp_path)
    from_saved = describe(load_model(tmp_path))
    from_dict = describe(CNN.to_dict())
    assert nodes_of(from_saved) == nodes_of(from_dict)


def test_bare_module_without_shape_is_a_clear_error():
    with pytest.raises(NettuneError, match="input_shape"):
        describe(build_model(CNN))


def test_architecture_summary_for_gallery_cards():
    cnn = architecture_summary(CNN)
    assert cnn["conv_layers"] == 4 and cnn["filters"] == [8, 8, 16, 16] and cnn["kernel_sizes"] == [3, 3, 3, 3]
    assert cnn["dense_layers"] == 2 and cnn["dense_nodes"] == [64, 32] and cnn["activation"] == "relu"
    assert cnn["parameters"] == sum(p.numel() for p in build_model(CNN).parameters())
    lstm = architecture_summary(LSTM.to_dict())
    assert lstm["conv_layers"] == 0 and lstm["lstm_layers"] == 2 and lstm["lstm_units"] == 24
    assert lstm["parameters"] == sum(p.numel() for p in build_model(LSTM).parameters())
    json.dumps(cnn)
    json.dumps(lstm)
