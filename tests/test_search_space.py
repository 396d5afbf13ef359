import optuna
import pytest

from nettune.data.types import DatasetInfo
from nettune.models import build_model
from nettune.space.search_space import SpaceOptions, baseline_params, max_conv_blocks, suggest_model_config

MNIST = DatasetInfo("mnist", "image", 10, tuple("0123456789"), (1, 28, 28))
IMDB = DatasetInfo("imdb", "text", 2, ("negative", "positive"), (64,), vocab_size=200)
TINY = DatasetInfo("tiny", "image", 2, ("a", "b"), (1, 6, 6))


def _sample(info, options, n=25):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    configs = []
    for _ in range(n):
        trial = study.ask()
        configs.append(suggest_model_config(trial, info, options))
        study.tell(trial, 0.5)
    return configs


@pytest.mark.parametrize("info", [MNIST, IMDB, TINY])
def test_every_sample_is_buildable(info):
    import torch

    for cfg in _sample(info, SpaceOptions(max_epochs=3), n=15):
        assert cfg.family == info.family and 1 <= cfg.epochs <= 3
        x = torch.randn(2, *info.input_shape) if info.family == "cnn" else torch.randint(0, 200, (2, 64))
        assert build_model(cfg)(x).shape == (2, info.num_classes)


def test_blocks_bounded_by_input_size():
    assert max_conv_blocks(TINY) == 2 and max_conv_blocks(MNIST) == 4
    assert all(cfg.conv_blocks <= 2 for cfg in _sample(TINY, SpaceOptions(max_epochs=2), n=30))


def test_fixed_activation_applies_to_all_trials():
    configs = _sample(MNIST, SpaceOptions(max_epochs=2, activation="swish"), n=10)
    assert {c.activation for c in configs} == {"silu"}


def test_baseline_enqueues_into_the_same_space():
    for info in (MNIST, IMDB):
        options = SpaceOptions(max_epochs=4)
        study = optuna.create_study()
        study.enqueue_trial(baseline_params(info, options))
        trial = study.ask()
        cfg = suggest_model_config(trial, info, options)
        assert trial.params == baseline_params(info, options)
        # CNNs train the full budget; the LSTM baseline converges in three epochs and overfits after
        assert cfg.epochs == (4 if info.family == "cnn" else 3) and cfg.optimizer == "adam"
