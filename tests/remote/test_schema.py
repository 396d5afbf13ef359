"""The worker's job input: the TrialJob travels whole, and anything unknown or out of range fails clearly."""

import copy
import dataclasses

import pytest

from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob
from nettune.worker.handler import handle
from nettune.worker.schema import (
    MAX_INPUT_BYTES,
    ArtifactTarget,
    JobInputError,
    decode_input,
    encode_input,
    input_size,
    remote_job,
)


def _job(**overrides):
    cfg = ModelConfig(family="cnn", dataset="fashion_mnist", input_shape=(1, 28, 28), num_classes=10,
                      filters=(32, 64, 128), dense_units=256, batch_size=128, epochs=6, dropout=0.3123456789,
                      learning_rate=0.0012345678912345, weight_decay=1.234567891234e-05, optimizer="adamw")
    base = {"number": 1234, "model_config": cfg, "dataset": "fashion_mnist", "data_fraction": 0.5, "data_seed": 42,
            "seed": 1276, "mode": "health", "health_weight": 0.3, "trial_dir": "/home/me/runs/study/trials/1234",
            "time_budget_s": 600.0, "pruner": "hyperband", "tensorboard_dir": "/home/me/runs/study/tensorboard/1234",
            "storage_url": "sqlite:////home/me/runs/study/study.db", "study_name": "study", "trial_id": 1235,
            "data_dir": "/home/me/data", "fixed_duration_s": None, "compile_model": True}
    return TrialJob(**{**base, **overrides})


def test_the_whole_job_arrives_and_only_machine_local_fields_change():
    job = _job()
    data = encode_input(remote_job(job), ArtifactTarget(store="s3://bucket/runs/study", endpoint_url="http://s3:9000"))
    received = decode_input(data)
    assert received.job == dataclasses.replace(job, trial_dir="trials/1234", tensorboard_dir="tensorboard",
                                               data_dir=None, storage_url=None, study_name=None, trial_id=None)
    assert received.job.model_config == job.model_config  # every hyperparameter, bit for bit
    assert received.artifacts == ArtifactTarget(store="s3://bucket/runs/study", endpoint_url="http://s3:9000")
    assert input_size(data) <= MAX_INPUT_BYTES


def test_a_missing_field_is_an_error_never_a_default():
    data = encode_input(remote_job(_job()), ArtifactTarget())
    for path in (("job", "patience"), ("job", "seed"), ("job", "model_config", "learning_rate")):
        broken = copy.deepcopy(data)
        target = broken
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        with pytest.raises(JobInputError, match=rf"{'.'.join(path)} is missing"):
            decode_input(broken)


@pytest.mark.parametrize(("path", "value", "message"), [
    (("job", "colour"), "red", r"unknown field\(s\) in job: colour"),
    (("job", "model_config", "layers"), 3, r"unknown field\(s\) in job.model_config: layers"),
    (("surprise",), 1, r"unknown field\(s\) in input: surprise"),
    (("job", "data_fraction"), 1.5, r"job.data_fraction=1.5 is out of range \[0.0, 1.0\]"),
    (("job", "model_config", "epochs"), 10_000, r"job.model_config.epochs=10000 is out of range"),
    (("job", "mode"), "fast", r"job.mode='fast' is not one of simple, health"),
    (("job", "seed"), "7", r"job.seed must be an integer"),
    (("job", "patience"), True, r"job.patience must be an integer"),
    (("job", "compile_model"), "yes", r"job.compile_model must be true or false"),
    (("job", "model_config", "activation"), "sigmoid", r"activation 'sigmoid' is not one of"),
    (("job", "data_dir"), "/data", r"job.data_dir must be null"),
    (("job", "storage_url"), "sqlite:///x.db", r"job.storage_url must be null"),
    (("job", "trial_dir"), "/etc", r"job.trial_dir='/etc' must be a short relative path"),
    (("job", "trial_dir"), "../../x", r"must be a short relative path"),
    (("artifacts", "store"), "http://bucket", r"artifacts.store must be an s3://"),
    (("nettune",), "0.0.1", r"orchestrator runs nettune '0.0.1' but this worker runs"),
    (("v",), 2, r"input schema version 2 is not supported"),
])
def test_bad_inputs_fail_with_a_clear_message(path, value, message):
    data = encode_input(remote_job(_job()), ArtifactTarget())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(JobInputError, match=message):
        decode_input(data)
    # The handler turns the same problem into a failed job (RunPod's "error" key), not a crash.
    result = handle(data, report=lambda p: pytest.fail("no progress for an invalid job"))
    assert set(result) == {"error"} and result["error"].startswith("invalid job input: ")


def test_oversized_inputs_are_refused_before_they_are_sent():
    job = remote_job(_job())
    store = "s3://bucket/" + "a-very-long-prefix/" * 20
    with pytest.raises(JobInputError, match=rf"over the {MAX_INPUT_BYTES}-byte limit"):
        encode_input(job, ArtifactTarget(store=store))


def test_non_objects_are_rejected():
    for value in (None, [], "job", 3):
        assert handle(value, report=print)["error"].startswith("invalid job input: the input must be a JSON object")
