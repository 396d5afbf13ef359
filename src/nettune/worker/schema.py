"""The worker's job input: one TrialJob, sent whole, and where its artifact bundle goes.

    {"v": 1, "nettune": "0.1.0", "job": {...every TrialJob field...}, "artifacts": {"store": "s3://b/p"}}

Every non-null TrialJob field must be present: a worker never fills a gap from its own defaults, because a
parameter silently taken from a default is how a remote trial ends up training something else than the local
one would. Null fields are left out only to keep the input small (≤ MAX_INPUT_BYTES), and a left-out field is
null, never a default. The worker must run the same nettune version as the orchestrator.

Machine-local fields are normalised by the sender: trial_dir and tensorboard_dir become relative names the
worker places in its scratch directory; data_dir and the study connection (storage_url, study_name, trial_id)
are null, so the worker uses its own dataset cache and reports back only through its result.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields, replace
from pathlib import PurePosixPath
from typing import Any

from nettune import __version__
from nettune.config import DATASETS, DEVICES, MODES, PLOT_GENERATION, PRUNERS
from nettune.dataset_ref import custom_key
from nettune.errors import ConfigError, NettuneError
from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob

SCHEMA_VERSION = 1
MAX_INPUT_BYTES = 1024  # everything but an inline dataset
# A small dataset of the user's own may ride along as base64 of its packed zip (data/custom/transfer.py) when no
# artifact store is set: RunPod takes /run bodies up to 10 MB, so it stays well under that.
MAX_INLINE_DATASET_CHARS = 6 * 1024 * 1024

_INT, _FLOAT, _STR, _BOOL = "integer", "number", "string", "boolean"
_DEVICE = re.compile(r"cpu|cuda(:\d{1,2})?")
# field: (kind, low, high, nullable); choices for strings live in _CHOICES.
_JOB_RULES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "number": (_INT, 0, 10_000_000, False),
    "dataset": (_STR, None, None, False),
    "data_fraction": (_FLOAT, 0.0, 1.0, False),
    "data_seed": (_INT, 0, 2**31 - 1, False),
    "seed": (_INT, 0, 2**32 - 1, False),
    "mode": (_STR, None, None, False),
    "health_weight": (_FLOAT, 0.0, 1.0, False),
    "trial_dir": (_STR, None, None, False),
    "patience": (_INT, 1, 100, False),
    "time_budget_s": (_FLOAT, 1.0, 7 * 86400.0, True),
    "skip_over_s": (_FLOAT, 1.0, 7 * 86400.0, True),
    "device": (_STR, None, None, False),
    "compile_model": (_BOOL, None, None, False),
    "data_dir": (_STR, None, None, True),
    "plot_generation": (_STR, None, None, False),
    "tensorboard_dir": (_STR, None, None, True),
    "storage_url": (_STR, None, None, True),
    "study_name": (_STR, None, None, True),
    "trial_id": (_INT, 0, None, True),
    "pruner": (_STR, None, None, False),
    "fixed_duration_s": (_FLOAT, 0.0, 3600.0, True),
    "parallel": (_INT, 1, 16, False),
    "devices": ("devices", None, None, False),
}
_CHOICES = {"dataset": DATASETS, "mode": MODES, "device": DEVICES, "plot_generation": PLOT_GENERATION,
            "pruner": PRUNERS}
_MUST_BE_NULL = {
    "data_dir": "the worker uses its own dataset cache ($NETTUNE_DATA_DIR)",
    "storage_url": "a worker never connects to the study",
    "study_name": "a worker never connects to the study",
    "trial_id": "a worker never connects to the study",
}
# Upper bounds on the model, so a malformed job cannot ask a worker for an absurd amount of memory.
_MODEL_BOUNDS = {"epochs": 500, "batch_size": 16384, "dense_units": 16384, "dense_layers": 16, "lstm_units": 8192,
                 "lstm_layers": 16, "embedding_dim": 8192, "vocab_size": 2_000_000, "num_classes": 100_000,
                 "sequence_length": 100_000}


# A TrialJob field without a rule would be filled from its dataclass default on the worker: refuse to start.
_JOB_FIELDS = {f.name for f in fields(TrialJob)}
_UNRULED = _JOB_FIELDS - set(_JOB_RULES) - {"model_config"}
if _UNRULED:
    raise RuntimeError(f"nettune.worker.schema has no rule for TrialJob field(s) {sorted(_UNRULED)}")


class JobInputError(NettuneError):
    """A job input that does not match the schema; the job fails with this message."""


@dataclass(frozen=True)
class ArtifactTarget:
    """Where the worker puts the trial bundle: an S3 URL prefix, or None to return it inline."""

    store: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class WorkerInput:
    job: TrialJob
    artifacts: ArtifactTarget
    dataset_zip: str | None = None  # base64 of the packed custom dataset named by job.dataset, when sent inline


def encode_input(job: TrialJob, artifacts: ArtifactTarget, dataset_zip: str | None = None) -> dict[str, Any]:
    """The job input for a worker; raises JobInputError if it does not validate or is over MAX_INPUT_BYTES.
    `dataset_zip`: the job's custom dataset, packed and base64-encoded, for a worker without an artifact store."""
    data: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "nettune": __version__,
        "job": {k: v for k, v in job.to_dict().items() if v is not None},
        "artifacts": {k: v for k, v in (("store", artifacts.store), ("endpoint_url", artifacts.endpoint_url)) if v},
    }
    if dataset_zip is not None:
        data["dataset_zip"] = dataset_zip
    data = json.loads(json.dumps(data))  # exactly what goes over the wire
    decode_input(data)  # the sender checks what the worker will check, so a bad job never leaves this machine
    return data


def input_size(data: dict[str, Any]) -> int:
    """Bytes of the input that the size limit counts: all of it but an inline dataset."""
    return len(json.dumps({k: v for k, v in data.items() if k != "dataset_zip"}, separators=(",", ":")).encode())


def decode_input(data: Any) -> WorkerInput:
    if not isinstance(data, dict):
        raise JobInputError(f"the input must be a JSON object, got {type(data).__name__}")
    size = input_size(data)
    if size > MAX_INPUT_BYTES:
        raise JobInputError(f"the input is {size} bytes, over the {MAX_INPUT_BYTES}-byte limit; use a shorter "
                            "run_name or artifact_store prefix")
    _no_unknown("input", data, {"v", "nettune", "job", "artifacts", "dataset_zip"})
    if data.get("v") != SCHEMA_VERSION:
        raise JobInputError(f"input schema version {data.get('v')!r} is not supported; this worker reads "
                            f"version {SCHEMA_VERSION}")
    if data.get("nettune") != __version__:
        raise JobInputError(f"the orchestrator runs nettune {data.get('nettune')!r} but this worker runs "
                            f"{__version__!r}; deploy a worker built from the same version")
    if not isinstance(data.get("job"), dict):
        raise JobInputError("input.job is missing or not an object")
    job = _decode_job(data["job"])
    dataset_zip = data.get("dataset_zip")
    if dataset_zip is not None:
        if not isinstance(dataset_zip, str) or len(dataset_zip) > MAX_INLINE_DATASET_CHARS:
            raise JobInputError(f"input.dataset_zip must be base64 text of at most {MAX_INLINE_DATASET_CHARS} "
                                "characters; ship larger datasets through artifact_store")
        if custom_key(job.dataset) is None:
            raise JobInputError("input.dataset_zip is only for a job whose dataset is custom:<key>")
    return WorkerInput(job, _decode_artifacts(data.get("artifacts", {})), dataset_zip)


def _decode_job(raw: dict[str, Any]) -> TrialJob:
    _no_unknown("job", raw, _JOB_FIELDS)
    values: dict[str, Any] = {}
    for name, (kind, low, high, nullable) in _JOB_RULES.items():
        if name not in _JOB_FIELDS:
            continue
        value = raw.get(name)
        if value is None:
            if not nullable:
                raise JobInputError(f"job.{name} is missing")
            values[name] = None
            continue
        if name in _MUST_BE_NULL:
            raise JobInputError(f"job.{name} must be null: {_MUST_BE_NULL[name]}")
        # A user's own dataset travels as its content key (custom:<key>), fetched from the artifact store.
        choices = None if name == "dataset" and custom_key(str(value)) else _CHOICES.get(name)
        values[name] = _check_devices(value) if kind == "devices" else \
            _check_value(f"job.{name}", value, kind, low, high, choices)
    for name in ("trial_dir", "tensorboard_dir"):
        if values[name] is not None:
            _check_relative(f"job.{name}", values[name])
    if "model_config" not in raw:
        raise JobInputError("job.model_config is missing")
    values["model_config"] = _decode_model(raw["model_config"])
    return TrialJob(**values)


def _decode_model(raw: Any) -> ModelConfig:
    if not isinstance(raw, dict):
        raise JobInputError("job.model_config must be an object")
    _no_unknown("job.model_config", raw, {f.name for f in fields(ModelConfig)})
    missing = sorted({f.name for f in fields(ModelConfig)} - set(raw))
    if missing:
        raise JobInputError(f"job.model_config.{missing[0]} is missing")
    for name, high in _MODEL_BOUNDS.items():
        _check_value(f"job.model_config.{name}", raw[name], _INT, 0, high, None)
    for name in ("input_shape", "filters"):
        items = raw[name]
        if not isinstance(items, list) or len(items) > 8:
            raise JobInputError(f"job.model_config.{name} must be a list of at most 8 integers")
        for i, item in enumerate(items):
            _check_value(f"job.model_config.{name}[{i}]", item, _INT, 1, 4096, None)
    for name in ("dropout", "learning_rate", "weight_decay", "label_smoothing"):
        _check_value(f"job.model_config.{name}", raw[name], _FLOAT, 0.0, 10.0, None)
    try:
        return ModelConfig.from_dict(raw)
    except ConfigError as exc:
        raise JobInputError(f"job.model_config: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise JobInputError(f"job.model_config has a value of the wrong type: {exc}") from exc


def _decode_artifacts(raw: Any) -> ArtifactTarget:
    if not isinstance(raw, dict):
        raise JobInputError("input.artifacts must be an object")
    _no_unknown("artifacts", raw, {"store", "endpoint_url"})
    store, endpoint = raw.get("store"), raw.get("endpoint_url")
    if store is not None:
        if not isinstance(store, str) or not store.startswith("s3://"):
            raise JobInputError("artifacts.store must be an s3://bucket/prefix URL")
        from nettune.artifacts.s3 import parse_s3_url

        try:
            parse_s3_url(store)
        except NettuneError as exc:
            raise JobInputError(f"artifacts.store: {exc}") from exc
    if endpoint is not None and (not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://"))):
        raise JobInputError("artifacts.endpoint_url must be an http(s) URL")
    return ArtifactTarget(store=store, endpoint_url=endpoint)


def _check_value(where: str, value: Any, kind: str, low: float | None, high: float | None,
                 choices: tuple[str, ...] | None) -> Any:
    if kind == _STR:
        if not isinstance(value, str):
            raise JobInputError(f"{where} must be a string, got {json.dumps(value)}")
        if choices is not None and value not in choices:
            raise JobInputError(f"{where}={value!r} is not one of {', '.join(choices)}")
        return value
    if kind == _BOOL:
        if not isinstance(value, bool):
            raise JobInputError(f"{where} must be true or false, got {json.dumps(value)}")
        return value
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind == _INT and not is_int:
        raise JobInputError(f"{where} must be an integer, got {json.dumps(value)}")
    if kind == _FLOAT and not (is_int or isinstance(value, float)):
        raise JobInputError(f"{where} must be a number, got {json.dumps(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise JobInputError(f"{where} must be finite")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise JobInputError(f"{where}={value} is out of range {bounds}")
    return float(value) if kind == _FLOAT else value


def _check_devices(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > 16 or not all(
            isinstance(d, str) and _DEVICE.fullmatch(d) for d in value):
        raise JobInputError(f"job.devices must be a list of at most 16 device names like 'cuda:0', got "
                            f"{json.dumps(value)[:80]}")
    return tuple(value)


def _check_relative(where: str, value: str) -> None:
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts or "\\" in value or len(value) > 200:
        raise JobInputError(f"{where}={value!r} must be a short relative path inside the worker's scratch directory")


def _no_unknown(where: str, data: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise JobInputError(f"unknown field(s) in {where}: {', '.join(unknown)}")


def remote_job(job: TrialJob) -> TrialJob:
    """The job as a worker receives it: machine-local paths and the study connection removed."""
    return replace(job, trial_dir=f"trials/{job.number:04d}", data_dir=None,
                   tensorboard_dir="tensorboard" if job.tensorboard_dir else None,
                   storage_url=None, study_name=None, trial_id=None)
