import math

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from nettune.models import build_model
from nettune.plots.tensorboard import TensorBoardHook
from nettune.training.device import seed_everything
from nettune.training.trainer import TrainSettings, train
from tests.plots.conftest import CNN_CONFIG, image_data


def test_scalars_and_histograms_are_written(tmp_path):
    seed_everything(0)
    model = build_model(CNN_CONFIG)
    hook = TensorBoardHook(tmp_path / "tb", scalar_every=2)
    result = train(model, CNN_CONFIG, image_data(), TrainSettings(seed=0), [hook])
    assert hook._writer is None  # closed at train end

    events = EventAccumulator(str(tmp_path / "tb"), size_guidance={"scalars": 0, "histograms": 0}).Reload()
    tags = events.Tags()
    assert {"loss/train", "loss/val", "accuracy/train", "accuracy/val", "batch/train_loss"} <= set(tags["scalars"])
    val = events.Scalars("accuracy/val")
    assert [e.step for e in val] == [row["epoch"] for row in result.history]
    assert math.isclose(val[-1].value, result.history[-1]["val_accuracy"], rel_tol=1e-6)
    steps = result.epochs_run * math.ceil(384 / CNN_CONFIG.batch_size)
    assert [e.step for e in events.Scalars("batch/train_loss")] == list(range(1, steps + 1, 2))
    names = [name for name, _ in model.named_parameters()]
    assert {f"weights/{n}" for n in names} <= set(tags["histograms"])
    assert {f"gradients/{n}" for n in names} <= set(tags["histograms"])
    assert len(events.Histograms("weights/head.0.weight")) == result.epochs_run


def test_close_is_safe_without_training(tmp_path):
    hook = TensorBoardHook(tmp_path / "tb")
    hook.close()  # nothing opened: no directory, no error
    assert not (tmp_path / "tb").exists()
