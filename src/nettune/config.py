"""OptimizationConfig: every option of a study, validated in one place for the CLI, the API and Python."""

from __future__ import annotations

import difflib
import math
import re
import time
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from nettune.config_legacy import LEGACY, translate
from nettune.dataset_ref import BUILTIN_DATASETS, builtin_name, is_custom, label
from nettune.errors import ConfigError

# The one definition of each option's choices: the search space, the health objective, the API schema and (through
# the schema) the dashboard all read them from here.
MODES = ("simple", "health")
DEFAULT_HEALTH_WEIGHT = 0.3
PRUNERS = ("median", "hyperband", "none")
SAMPLERS = ("tpe", "random")
PLOT_GENERATION = ("all", "best", "none")
DEVICES = ("auto", "cpu", "cuda")
DATASETS = BUILTIN_DATASETS
ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "silu", "tanh")  # what a model can be built with
ACTIVATION_ALIASES = {"swish": "silu"}
ACTIVATION_CHOICES = ACTIVATIONS + tuple(ACTIVATION_ALIASES)
RUN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"  # also names uploads; safe as a directory name

# Names the original system and its users know, mapped onto ours.
ALIASES = {
    "dataset_name": "dataset",
    "n_trials": "trials",
    "gpu_proxy_sample_percentage": "data_fraction",
    "max_epochs": "max_epochs_per_trial",
    "workers": "concurrent_workers",
    "runpod_endpoint_url": "runpod_endpoint",
    "runpod_service_endpoint": "runpod_endpoint",
    "runpod_service_fallback_local": "runpod_fallback_local",
    "target_gpus_per_worker": "gpus_per_worker",
}


def _opt(default: Any, help: str, choices: tuple[str, ...] | None = None, low: float | None = None,
         high: float | None = None, low_open: bool = False, shown: str | None = None, or_path: bool = False) -> Any:
    """`shown`: how --help and the README name a None default that means something (`auto`).
    `or_path`: besides its choices the option takes a path to the user's own files."""
    meta = {"help": help, "choices": choices, "low": low, "high": high, "low_open": low_open, "shown": shown,
            "or_path": or_path}
    return field(default=default, metadata=meta)


@dataclass
class OptimizationConfig:
    dataset: str = _opt("mnist", "a built-in dataset, or a path to your own: a folder of class folders, a "
                        ".csv/.tsv/.jsonl file or a .npz (docs/datasets.md); images get CNNs, text gets LSTMs",
                        DATASETS, or_path=True)
    mode: str = _opt("health", "objective: 'simple' = validation accuracy, 'health' = accuracy blended with health",
                     MODES)
    trials: int = _opt(20, "number of trials to finish (completed, pruned or failed)", low=1, high=10_000)
    max_epochs_per_trial: int = _opt(6, "epochs every trial plans (text models at most 3): the budget the pruner "
                                     "compares trials at", low=1, high=200)
    concurrent_workers: int | None = _opt(None, "trials run at once, each in its own process with its share of "
                                          "cores; default (auto): chosen at the start by timing the baseline "
                                          "model on all cores and on one", low=1, high=64, shown="auto")
    health_weight: float = _opt(DEFAULT_HEALTH_WEIGHT, "w in (1-w)*accuracy + w*health, for mode=health", low=0.0,
                                high=1.0)
    data_fraction: float = _opt(1.0, "stratified fraction of the dataset to use (0 < f <= 1)", low=0.0,
                                high=1.0, low_open=True)
    activation: str | None = _opt(None, "fix the activation for every trial instead of searching it",
                                  ACTIVATION_CHOICES, shown="searched")
    run_name: str | None = _opt(None, "name of the run directory; the same name resumes the study")
    output_dir: str = _opt("optimization_results", "directory that holds one folder per run")
    storage: str | None = _opt(None, "Optuna storage URL (default: SQLite file in the run directory)")
    seed: int = _opt(42, "seed for sampling, data subsets and training", low=0, high=2**31 - 1)
    sampler: str = _opt("tpe", "how parameters are proposed: tpe (Bayesian, learns from finished trials) or random "
                        "(the baseline to beat)", SAMPLERS)
    pruner: str = _opt("hyperband", "stop unpromising trials early: hyperband, median or none (see docs/benchmarks.md)",
                       PRUNERS)
    trial_timeout: float | None = _opt(None, "seconds one trial may train before it stops with its best epoch",
                                       low=1.0, high=7 * 86400.0)
    timeout: float | None = _opt(None, "seconds after which no new trial is started", low=1.0, high=30 * 86400.0)
    early_stopping_patience: int = _opt(2, "epochs without validation-loss improvement before a trial stops",
                                        low=1, high=100)
    warm_start: bool = _opt(True, "make the first trial a proven baseline architecture for the dataset")
    plot_generation: str = _opt("best", "per-trial plots for every trial, only the best (drawn at the end from saved "
                                "data, no retraining) or none", PLOT_GENERATION)
    tensorboard: bool = _opt(False, "write TensorBoard event files under <run dir>/tensorboard")
    device: str = _opt("auto", "auto (CUDA when present), cpu or cuda", DEVICES)
    compile_model: bool = _opt(False, "compile each trial's model with torch.compile: faster steps after 10-60 s "
                               "of compiling, so it pays on a GPU for trials of several epochs")
    data_dir: str | None = _opt(None, "dataset cache directory (default $NETTUNE_DATA_DIR or the user cache)")
    image_size: int | None = _opt(None, "your image folder: side every image is resized to (default: the images' "
                                  "median longest side, within 8..64)", low=4, high=512, shown="auto")
    text_column: str | None = _opt(None, "your text table: the column holding the text (default: one named text, "
                                   "review, sentence, ...)", shown="auto")
    label_column: str | None = _opt(None, "your text table: the column holding the label (default: one named "
                                    "label, class, category, ...)", shown="auto")
    # -- remote execution (RunPod serverless or a self-hosted endpoint) --------------------------------------
    use_runpod_service: bool = _opt(False, "run trials on a RunPod serverless or self-hosted endpoint "
                                    "(API key from $RUNPOD_API_KEY)")
    runpod_endpoint: str | None = _opt(None, "endpoint id, or base URL such as https://api.runpod.ai/v2/ID "
                                       "or http://gpu-box:8001")
    runpod_fallback_local: bool = _opt(True, "train locally when the endpoint is unreachable")
    artifact_store: str | None = _opt(None, "s3://bucket/prefix where remote workers upload trial bundles "
                                      "(default: bundles come back inline in the job output)")
    s3_endpoint_url: str | None = _opt(None, "S3-compatible endpoint URL for artifact_store (MinIO, R2, ...)")
    # -- scale-out ------------------------------------------------------------------------------------------
    gpus_per_worker: int = _opt(1, "devices one trial trains on with DistributedDataParallel (gloo on CPU)",
                                low=1, high=16)
    follow_only: bool = _opt(False, "run no trials here; follow a shared-storage study that pull workers run")
    benchmark_trial_seconds: float | None = _opt(None, "benchmark only: trials wait this long instead of training",
                                                 low=0.0, high=3600.0)

    def __post_init__(self) -> None:
        # The spellings the dataset catalog accepts (`fmnist`, `CIFAR-10`) mean the same here as there.
        if isinstance(self.dataset, str) and not is_custom(self.dataset):
            self.dataset = builtin_name(self.dataset) or self.dataset
        self.validate()

    # -- validation ---------------------------------------------------------------------------------------
    def validate(self) -> None:
        for f in fields(self):
            value, meta = getattr(self, f.name), f.metadata
            if value is None:
                continue
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{f.name}={value} is not a finite number; give a number such as "
                                  f"{f.default if f.default is not None else meta.get('low')}")
            if meta.get("or_path") and is_custom(str(value)):
                continue
            if meta.get("choices") and value not in meta["choices"]:
                raise ConfigError(
                    f"{f.name}={value!r} is not valid; choose one of: {', '.join(meta['choices'])}"
                    + (" (or give a path to your own data, e.g. ./photos/)" if meta.get("or_path") else "")
                    + _did_you_mean(str(value), meta["choices"])
                )
            low, high = meta.get("low"), meta.get("high")
            if low is not None and (value < low or (meta.get("low_open") and value == low)):
                bound = f"> {low}" if meta.get("low_open") else f">= {low}"
                raise ConfigError(f"{f.name}={value} is out of range; it must be {bound} and <= {high}")
            if high is not None and value > high:
                raise ConfigError(f"{f.name}={value} is out of range; it must be <= {high}")
        if not str(self.output_dir).strip():
            raise ConfigError("output_dir is empty; name a directory, or leave the option out for "
                              "'optimization_results'")
        if self.run_name is not None and not re.fullmatch(RUN_NAME_PATTERN, self.run_name):
            raise ConfigError(
                f"run_name={self.run_name!r} is not valid; use letters, digits, '_', '-' and '.' (max 100)"
            )

    # -- derived ------------------------------------------------------------------------------------------
    def resolved_run_name(self) -> str:
        if self.run_name is None:
            self.run_name = f"{label(self.dataset)}_{self.mode}_{time.strftime('%Y%m%d-%H%M%S')}"
        return self.run_name

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.resolved_run_name()

    def storage_url(self) -> str:
        return self.storage or f"sqlite:///{(self.run_dir / 'study.db').resolve()}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    # -- construction from text ---------------------------------------------------------------------------
    @classmethod
    def option_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_strings(cls, pairs: dict[str, str]) -> OptimizationConfig:
        """Build from key=value strings (CLI, environment): unknown keys and bad values get one-line errors."""
        typed: dict[str, Any] = {}
        for raw_key, raw in pairs.items():
            key = raw_key.strip().lstrip("-").replace("-", "_")
            if key in LEGACY:
                typed[key] = _parse(key, raw, LEGACY[key].kind.__name__)
            else:
                key = canonical_key(key)
                typed[key] = parse_value(key, raw)
        return cls(**translate(typed))


def canonical_key(key: str) -> str:
    key = key.strip().lstrip("-").replace("-", "_")
    key = ALIASES.get(key, key)
    names = OptimizationConfig.option_names()
    if key not in names:
        raise ConfigError(f"unknown option {key!r}" + _did_you_mean(key, names + list(ALIASES) + list(LEGACY))
                          + "; run 'nettune optimize --help' for all options")
    return key


def parse_value(key: str, raw: str) -> Any:
    f = next(f for f in fields(OptimizationConfig) if f.name == key)
    return _parse(key, raw, str(f.type))


def _parse(key: str, raw: str, kind: str) -> Any:
    text = raw.strip()
    if not text:  # `run_name=` is more likely a shell variable that came out empty than a wish for the default
        raise ConfigError(f"{key}= is empty; give a value, or leave the option out for its default")
    if "None" in kind and text.lower() in ("none", "null", "auto"):
        return None
    try:
        if kind.startswith("bool"):
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError
            return lowered in ("true", "1", "yes", "on")
        if kind.startswith("int"):
            return int(text)
        if kind.startswith("float"):
            return float(text)
    except ValueError:
        expected = "true or false" if kind.startswith("bool") else f"a number ({kind.split(' ')[0]})"
        raise ConfigError(f"{key}={raw!r} is not valid; expected {expected}") from None
    return text


def _did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def option_help() -> list[tuple[str, str, str]]:
    """(name, default, help) for every option: the CLI's --help and the README's option table (both from here)."""
    rows = []
    for f in fields(OptimizationConfig):
        choices = f.metadata.get("choices")
        extra = f" [{', '.join(choices)}]" if choices else ""
        rows.append((f.name, _shown_default(f.default, f.metadata.get("shown")), f.metadata["help"] + extra))
    return rows


def _shown_default(default: Any, shown: str | None) -> str:
    """A default as one would type it (`true`, `none`), or what a None default means (`auto`)."""
    if shown:
        return shown
    if default is MISSING:
        return "-"
    if default is None or isinstance(default, bool):
        return str(default).lower()
    return str(default)
