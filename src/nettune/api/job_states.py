"""A job's states, and which of them are final, resumable or active: the one definition the job manager, the
API schema and (through the schema's JobState component) the dashboard use."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    INTERRUPTED = "INTERRUPTED"  # the server stopped while the job was queued or running

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # The groups travel in the schema (OpenAPI x- extensions) so the dashboard reads them instead of copying.
        reference = handler(core_schema)
        schema: dict[str, Any] = handler.resolve_ref_schema(reference)
        schema["x-final"] = list(FINAL_STATES)
        schema["x-resumable"] = list(RESUMABLE_STATES)
        schema["x-active"] = list(ACTIVE_STATES)
        return reference


def _names(*states: JobState) -> tuple[str, ...]:
    return tuple(state.value for state in states)  # plain strings: what the job store holds and compares


JOB_STATES = _names(*JobState)
ACTIVE_STATES = _names(JobState.QUEUED, JobState.RUNNING)
FINAL_STATES = _names(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)
# A FAILED job resumes too: otherwise its run_name could never be used again (a new job with it is refused).
RESUMABLE_STATES = _names(JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)
