"""The search's own machinery: the space, equal-budget fidelity, cost prediction and skipping, the pruner's
objective scale, augmentation and label smoothing, and fresh proposals after a resume."""

from __future__ import annotations

import json
import os
from pathlib import Path

import optuna
import pytest
import torch

import nettune
from nettune.config import OptimizationConfig
from nettune.data.types import DatasetInfo
from nettune.models import build_model
from nettune.space.model_config import ModelConfig
from nettune.space.search_space import SpaceOptions, augmentations, suggest_model_config
from nettune.study.storage import make_sampler
from nettune.training.augment import augment_batch
from nettune.training.cost import OverBudget, check_budget, estimate_cost
from nettune.training.device import seed_everything
from nettune.training.trainer import TrainSettings, train
from tests.conftest import mnist_study_factory

MNIST = DatasetInfo("mnist", "image", 10, tuple("0123456789"), (1, 28, 28))
FASHION = DatasetInfo("fashion_mnist", "image", 10, tuple("0123456789"), (1, 28, 28), hflip_keeps_class=True)
IMDB = DatasetInfo("imdb", "text", 2, ("negative", "positive"), (64,), vocab_size=200)


def _sample(info: DatasetInfo, n: int = 40, max_epochs: int = 5) -> list[tuple[dict, ModelConfig]]:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append((trial.params, suggest_model_config(trial, info, SpaceOptions(max_epochs=max_epochs))))
        study.tell(trial, 0.5)
    return out


def test_epochs_are_the_fidelity_not_a_hyperparameter():
    for info, planned in ((MNIST, 5), (IMDB, 3)):
        samples = _sample(info)
        assert all("epochs" not in params for params, _ in samples)
        assert {cfg.epochs for _, cfg in samples} == {planned}  # every trial at the same budget


def test_mirrors_only_where_they_keep_the_class():
    assert "translate_flip" not in augmentations(MNIST)
    assert "translate_flip" in augmentations(FASHION)
    assert {cfg.augment for _, cfg in _sample(MNIST)} == {"none", "translate"}
    assert "translate_flip" in {cfg.augment for _, cfg in _sample(FASHION)}


def test_the_space_starts_where_good_models_live():
    for _, cfg in _sample(MNIST) + _sample(IMDB):
        assert cfg.optimizer in ("adam", "adamw") and 5e-4 <= cfg.learning_rate <= 5e-3
        assert cfg.activation != "tanh" and 0.0 <= cfg.label_smoothing <= 0.15
    cnn = [cfg for _, cfg in _sample(MNIST)]
    assert all(cfg.batch_norm and cfg.kernel_size == 3 and 2 <= cfg.conv_blocks <= 3 for cfg in cnn)
    assert all(cfg.filters[i + 1] == 2 * cfg.filters[i] for cfg in cnn for i in range(cfg.conv_blocks - 1))
    lstm = [cfg for _, cfg in _sample(IMDB)]
    assert {cfg.sequence_length for cfg in lstm} == {0, 32, 48}
    assert all(cfg.lstm_layers == 1 and cfg.sequence_pooling != "last" for cfg in lstm)


def test_a_shorter_sequence_reads_the_last_tokens():
    _, cfg = next((p, c) for p, c in _sample(IMDB) if c.sequence_length == 32)
    model = build_model(cfg).eval()
    tokens = torch.randint(2, 200, (3, 64))
    changed_start = tokens.clone()
    changed_start[:, :32] = 5  # tokens the model does not read
    with torch.no_grad():
        assert torch.equal(model(tokens), model(changed_start))


def test_translate_moves_whole_pixels_and_keeps_the_picture():
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, 10:18, 10:18] = 1.0
    out = augment_batch(x, "translate", torch.Generator().manual_seed(0))
    assert out.shape == x.shape and set(out.unique().tolist()) == {0.0, 1.0}
    assert torch.all(out.sum(dim=(1, 2, 3)) == 64)  # the square is moved, never cut or blurred
    assert not torch.equal(out, x)
    again = augment_batch(x, "translate", torch.Generator().manual_seed(0))
    assert torch.equal(out, again)  # the same seed, the same run
    assert augment_batch(x, "none", torch.Generator()) is x


def test_flip_mirrors_about_half_the_batch():
    x = torch.zeros(200, 1, 8, 8)
    x[:, :, :, :2] = 1.0  # a bar on the left edge
    out = augment_batch(x, "translate_flip", torch.Generator().manual_seed(1))
    on_right = (out[:, 0, :, 4:].sum(dim=(1, 2)) > out[:, 0, :, :4].sum(dim=(1, 2))).float().mean()
    assert 0.35 < on_right < 0.65


def test_label_smoothing_and_augmentation_change_training_but_stay_deterministic(image_data, cnn_config):
    def run(**changes: object) -> float:
        cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 1, **changes})
        seed_everything(0)
        model = build_model(cfg)
        return train(model, cfg, image_data, TrainSettings(seed=0)).history[0]["train_loss"]

    plain = run()
    assert run() == plain
    smoothed = run(label_smoothing=0.1)
    assert smoothed != plain and run(label_smoothing=0.1) == smoothed
    assert run(augment="translate") != plain


def test_cost_prediction_is_close_and_leaves_the_model_untouched(image_data, cnn_config):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 3})
    seed_everything(0)
    model = build_model(cfg)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    estimate = estimate_cost(model, cfg, image_data, torch.device("cpu"))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert torch.equal(torch.get_rng_state(), rng)
    result = train(model, cfg, image_data, TrainSettings(seed=0, patience=10))
    # Small models on a shared 2-core machine are noisy: the estimate must be the right size, not exact.
    assert result.seconds / 4 < estimate.total_s < result.seconds * 4
    assert estimate.probe_s < max(2.0, result.seconds)
    with pytest.raises(OverBudget, match="skipped before training: predicted"):
        check_budget(estimate.total_s, estimate.total_s / 2, cfg.epochs, torch.device("cpu"))
    check_budget(estimate.total_s, None, cfg.epochs, torch.device("cpu"))


@pytest.fixture
def study_config(mnist_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return mnist_study_factory(tmp_path, mnist_data_dir, trials=3, max_epochs_per_trial=2, data_fraction=0.03,
                               run_name="budget", seed=5)


def test_trials_over_their_share_are_skipped_and_recorded_but_the_baseline_trains(study_config):
    # 1 s per trial: below what any model here needs for 20 epochs, so every searched trial is skipped.
    config = study_config(trials=3, trial_timeout=1.0, max_epochs_per_trial=20)
    result = nettune.optimize(config)
    rows = json.loads(result.results_path.read_text())
    assert rows["skipped_trials"] == 2 and rows["counts"]["pruned"] == 2
    baseline, *searched = rows["trials"]
    assert baseline["state"] == "complete" and not baseline["skipped"] and baseline["predicted_s"] > 1.0
    assert baseline["stop_reason"] == "time budget"  # the baseline trains, within its budget
    for row in searched:
        assert row["state"] == "pruned" and row["skipped"]
        assert row["error"].startswith("skipped before training: predicted") and row["predicted_s"] > 1.0
        assert row["duration_s"] < 10  # found out in seconds, not minutes
    assert "skipped before training" in (config.run_dir / "nettune.log").read_text()
    study = optuna.load_study(study_name="budget", storage=config.storage_url())
    # Recorded with every trial: three trials of at most 1 s are a short study, run in-process on every core.
    assert rows["worker_layout"]["workers"] == 1
    assert {t.user_attrs["threads"] for t in study.trials} == {os.cpu_count()}


def test_pruned_trials_are_recorded_on_the_objectives_scale(study_config):
    config = study_config(mode="health", trials=5, pruner="median", max_epochs_per_trial=3)
    nettune.optimize(config)
    study = optuna.load_study(study_name="budget", storage=config.storage_url())
    w, reported = config.health_weight, 0
    for trial in study.get_trials():
        if trial.state == optuna.trial.TrialState.PRUNED and trial.intermediate_values:
            assert trial.value == trial.intermediate_values[max(trial.intermediate_values)]
        history = json.loads((Path(trial.user_attrs["trial_dir"]) / "outcome.json").read_text())["history"]
        for step, value in trial.intermediate_values.items():
            # a total score (1 - w) * accuracy + w * health: near that epoch's accuracy, but not it
            accuracy = history[step - 1]["val_accuracy"]
            assert value != accuracy and abs(value - accuracy) <= w + 1e-9
            reported += 1
    assert reported >= 5


def test_a_resumed_or_second_sampler_does_not_replay_earlier_proposals():
    config = OptimizationConfig(seed=42)

    def first_params(sampler: optuna.samplers.BaseSampler) -> list[float]:
        study = optuna.create_study(sampler=sampler)
        return [study.ask().suggest_float("x", 0, 1) for _ in range(3)]

    fresh = first_params(make_sampler(config))
    assert first_params(make_sampler(config)) == fresh  # a new study stays reproducible
    assert first_params(make_sampler(config, trials_so_far=3)) != fresh
    assert first_params(make_sampler(config, salt=1234)) != fresh
    random = OptimizationConfig(seed=42, sampler="random")
    assert isinstance(make_sampler(random), optuna.samplers.RandomSampler)


def test_resume_proposes_new_parameters(study_config):
    nettune.optimize(study_config(trials=2, warm_start=False, pruner="none"))
    nettune.optimize(study_config(trials=4, warm_start=False, pruner="none"))
    study = optuna.load_study(study_name="budget", storage=study_config().storage_url())
    params = [tuple(sorted(t.params.items())) for t in study.get_trials()]
    assert len(params) == 4 and len(set(params)) == 4
