"""Pydantic models at the API's edges: the request body of POST /optimize and every response shape.

OptimizeRequest is generated from OptimizationConfig's fields (types, choices, ranges, help), so an option added
to the config is accepted by the API, documented in the OpenAPI schema and validated the same way, with no
second list to keep in sync.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Literal, get_type_hints

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, create_model, model_validator

from nettune.api.job_states import JobState
from nettune.api.settings import ApiSettings
from nettune.config import ALIASES, OptimizationConfig
from nettune.config import RUN_NAME_PATTERN as RUN_NAME_PATTERN  # re-exported for the upload routes
from nettune.config_legacy import LEGACY, translate
from nettune.progress.layer_stats import MAX_LAYERS

TrialState = Literal["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL", "INTERRUPTED"]

# Paths and storage on the server are the server's business: a remote client must not pick them.
SERVER_DECIDED = {
    "output_dir": "the server's --output-dir",
    "data_dir": "the server's --data-dir",
    "storage": "the server (each job's study lives in its run directory)",
    "follow_only": "the server (a job always runs its own trials)",
}


class _RequestBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _reject_server_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, owner in SERVER_DECIDED.items():
                if key in data:
                    raise ValueError(f"{key} cannot be set through the API; it is decided by {owner}")
            for key, legacy in LEGACY.items():  # the original system's names, converted as the CLI does
                if key in data and not isinstance(data[key], legacy.kind | (int if legacy.kind is float else bool)):
                    raise ValueError(f"{key} must be a {legacy.kind.__name__}: {legacy.meaning}")
            data = translate(data)
        return data


def _request_field(name: str, annotation: Any, default: Any, meta: dict[str, Any]) -> tuple[Any, Any]:
    choices = meta.get("choices")
    if meta.get("or_path"):  # over the API: a built-in name or an upload's name, never a path on the server
        description = f"{', '.join(choices or ())}, or the name of a dataset uploaded with POST /datasets/uploads"
        return str, Field(default, description=description, pattern=RUN_NAME_PATTERN)
    if choices:
        annotation = Literal[choices]  # type: ignore[valid-type]
        if default is None:
            annotation = annotation | None
    constraints: dict[str, Any] = {}
    low, high = meta.get("low"), meta.get("high")
    if low is not None:
        constraints["gt" if meta.get("low_open") else "ge"] = low
    if high is not None:
        constraints["le"] = high
    if name == "run_name":
        constraints["pattern"] = RUN_NAME_PATTERN
    elif annotation in (str, str | None) and not choices:
        constraints["max_length"] = 500
    aliases = [alias for alias, target in ALIASES.items() if target == name]
    alias = AliasChoices(name, *aliases) if aliases else None
    return annotation, Field(default, description=meta.get("help"), validation_alias=alias, **constraints)


def _build_request_model() -> type[BaseModel]:
    hints = get_type_hints(OptimizationConfig)
    definitions = {
        f.name: _request_field(f.name, hints[f.name], f.default if f.default is not MISSING else None, dict(f.metadata))
        for f in fields(OptimizationConfig)
        if f.name not in SERVER_DECIDED
    }
    return create_model("OptimizeRequest", __base__=_RequestBase, **definitions)  # type: ignore[call-overload]


OptimizeRequest = _build_request_model()


class ErrorResponse(BaseModel):
    detail: str = Field(description="one-line message: what is wrong and how to fix it")


class ParamStats(BaseModel):
    """One parameter kind (weight or bias) of each shown layer; null where a layer has none."""

    mean: list[float | None]
    std: list[float | None]
    min: list[float | None]
    max: list[float | None]
    hist: list[list[int] | None] = Field(description="counts in equal-width bins from min to max")


class LayerStatsEpoch(BaseModel):
    """One finished epoch's per-layer statistics (nettune.progress.layer_stats), lists in `layers` order."""

    epoch: int
    layers_total: int = Field(description=f"parameterized layers in the model; at most {MAX_LAYERS} are shown")
    layers: list[str]
    kinds: list[str]
    grad_mean: list[float | None] = Field(description="mean sampled gradient L2 norm over the epoch")
    grad_max: list[float | None]
    weight: ParamStats
    bias: ParamStats


class RunningTrial(BaseModel):
    trial: int
    worker: str
    started: float
    epoch: int
    total_epochs: int
    fraction: float
    loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None
    history: list[dict[str, float | None]] = []  # finished epochs so far: epoch, train/val loss and accuracy
    layers: LayerStatsEpoch | None = None  # the latest finished epoch's per-layer statistics


class Progress(BaseModel):
    total_trials: int
    completed: int
    pruned: int
    failed: int
    finished: int
    running: int
    running_trials: list[RunningTrial]
    best_accuracy: float | None
    best_score: float | None
    best_trial: int | None
    mode: str
    average_duration_s: float | None
    elapsed_s: float
    eta_s: float | None
    notices: list[str]


class JobResult(BaseModel):
    best_trial: int | None
    best_value: float | None
    best_accuracy: float | None
    best_test_accuracy: float | None
    best_health: float | None
    counts: dict[str, int]
    importance: dict[str, float]
    interrupted: bool


class Job(BaseModel):
    job_id: str
    run_name: str
    state: JobState
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    cancel_requested: bool
    config: dict[str, Any]
    progress: Progress
    model_ready: bool
    result: JobResult | None
    seq: int


class JobList(BaseModel):
    jobs: list[Job]


class Architecture(BaseModel):
    model_config = ConfigDict(extra="allow")

    family: str
    conv_layers: int
    filters: list[int]
    kernel_sizes: list[int]
    dense_layers: int
    dense_nodes: list[int]
    activation: str
    param_count: int


class TrialSummary(BaseModel):
    number: int
    state: TrialState
    params: dict[str, Any]
    architecture: Architecture | None
    value: float | None
    metrics: dict[str, Any]
    health_overall: float | None
    health_metrics: dict[str, float | None] | None
    health_summary: str | None
    started_at: float | None
    finished_at: float | None
    duration_s: float | None
    worker: str | None
    error: str | None
    is_best: bool
    plots: list[str]
    progress: RunningTrial | None


class TrialDetail(TrialSummary):
    health: dict[str, Any] | None
    history: list[dict[str, Any]]
    layer_stats: list[LayerStatsEpoch] = Field(default=[], description="per finished epoch; empty while running")
    graph: dict[str, Any] | None
    model_config_: dict[str, Any] | None = Field(alias="model_config", serialization_alias="model_config")

    model_config = ConfigDict(populate_by_name=True)


class TrialList(BaseModel):
    job_id: str
    trials: list[TrialSummary]


class BestModel(BaseModel):
    job_id: str
    run_name: str
    mode: str
    model_ready: bool
    trial: TrialDetail


class PlotList(BaseModel):
    job_id: str
    study: list[str]
    study_skipped: dict[str, str]
    trials: dict[str, list[str]]


class DatasetEntry(BaseModel):
    name: str
    modality: str
    task: str
    family: str
    num_classes: int
    class_names: list[str]
    train_size: int
    test_size: int
    input_shape: list[int]
    description: str
    available_offline: bool
    # uploaded datasets only
    uploaded: bool = False
    format: str | None = None
    filename: str | None = None
    bytes: int | None = None
    uploaded_at: float | None = None
    class_counts: dict[str, dict[str, int]] | None = None
    skipped_unreadable: int | None = None


class TensorBoardLink(BaseModel):
    job_id: str
    url: str  # on this server: open it in a browser (add ?token=<token> when the server has one)


class DatasetExample(BaseModel):
    label: str
    image: str | None = None  # data:image/png;base64,...
    text: str | None = None


class DatasetExamples(BaseModel):
    name: str
    examples: list[DatasetExample]


class DatasetList(BaseModel):
    datasets: list[DatasetEntry]


class GlossaryEntry(BaseModel):
    title: str
    what: str
    why: str | None = None
    bad_value: str | None = None


class Glossary(BaseModel):
    hyperparameters: dict[str, GlossaryEntry]
    param_aliases: dict[str, str]
    health_metrics: dict[str, GlossaryEntry]
    options: dict[str, GlossaryEntry]


_SERVE_DEFAULTS = ApiSettings.__dataclass_fields__


def _limit(setting: str, flag: str) -> Any:
    # Defaults are `nettune serve`'s, so the schema tells a client the limits until a server reports its own.
    return Field(_SERVE_DEFAULTS[setting].default, description=f"{setting} (nettune serve {flag})")


class ServerLimits(BaseModel):
    """This server's request limits: POST /optimize answers 422 (429 for the queue) beyond them."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # a response always has them all

    trials: int = _limit("max_trials", "--max-trials")
    max_epochs_per_trial: int = _limit("max_epochs_per_trial", "--max-epochs")
    concurrent_workers: int = _limit("max_concurrent_workers", "--max-workers")
    body_bytes: int = _limit("max_body_bytes", "--max-body-bytes")
    queued_jobs: int = _limit("max_queued_jobs", "--max-queued-jobs")

    @classmethod
    def of(cls, settings: ApiSettings) -> ServerLimits:
        return cls(trials=settings.max_trials, max_epochs_per_trial=settings.max_epochs_per_trial,
                   concurrent_workers=settings.max_concurrent_workers, body_bytes=settings.max_body_bytes,
                   queued_jobs=settings.max_queued_jobs)


class HealthStatus(BaseModel):
    status: Literal["ok"]
    version: str
    uptime_s: float
    jobs: dict[JobState, int]
    max_running_jobs: int
    limits: ServerLimits
    auth_required: bool


class ForwardInput(BaseModel):
    type: Literal["image", "tokens"]
    # image: `height` x `width` pixels, `channels` (1 or 3) per pixel, uint8 row by row, base64
    channels: int | None = None
    height: int | None = None
    width: int | None = None
    data: str | None = None
    # tokens: the last real words of the review, read left to right
    tokens: list[str] | None = None
    tokens_total: int | None = None


class LayerActivation(BaseModel):
    id: str  # the node id in the trial's architecture graph ("n1", "n2", ...)
    name: str
    output_shape: list[int]
    type: Literal["maps", "units", "none"]
    # maps: len(kept) channels of height x width; units: len(kept) values. uint8 base64, C order;
    # value = min + byte / 255 * (max - min)
    kept: list[int] | None = None
    channels_total: int | None = None
    units_total: int | None = None
    height: int | None = None
    width: int | None = None
    min: float | None = None
    max: float | None = None
    data: str | None = None
    step: str | None = None  # "last": a sequence layer's units at its last step


class ForwardPrediction(BaseModel):
    label: int
    name: str
    probabilities: list[float]
    class_names: list[str]
    true_label: int | None
    true_name: str | None


class ForwardPass(BaseModel):
    job_id: str
    trial: int
    example: int
    examples: int  # size of the test split: valid examples are 0 .. examples - 1
    dataset: str
    family: str
    input: ForwardInput
    layers: list[LayerActivation]
    prediction: ForwardPrediction
    limits: dict[str, int]
