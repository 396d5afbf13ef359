"""Pydantic models at the API's edges: the request body of POST /optimize and every response shape.

OptimizeRequest is generated from OptimizationConfig's fields (types, choices, ranges, help), so an option added
to the config is accepted by the API, documented in the OpenAPI schema and validated the same way, with no
second list to keep in sync.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Literal, get_type_hints

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, create_model, model_validator

from nettune.config import ALIASES, OptimizationConfig
from nettune.config_legacy import LEGACY, translate

JobState = Literal["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"]
FINAL_STATES: tuple[str, ...] = ("COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED")
# A FAILED job resumes too: otherwise its run_name could never be used again (a new job with it is refused).
RESUMABLE_STATES: tuple[str, ...] = ("FAILED", "CANCELLED", "INTERRUPTED")
TrialState = Literal["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL", "INTERRUPTED"]

# Paths and storage on the server are the server's business: a remote client must not pick them.
SERVER_DECIDED = {
    "output_dir": "the server's --output-dir",
    "data_dir": "the server's --data-dir",
    "storage": "the server (each job's study lives in its run directory)",
    "follow_only": "the server (a job always runs its own trials)",
}
RUN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


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


class HealthStatus(BaseModel):
    status: Literal["ok"]
    version: str
    uptime_s: float
    jobs: dict[str, int]
    max_running_jobs: int
    limits: dict[str, int]
    auth_required: bool
