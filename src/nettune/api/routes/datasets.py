"""Datasets: the built-in ones and the user's uploads (upload, inspect, show examples, delete)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from nettune.api.deps import ServicesDep
from nettune.api.models import RUN_NAME_PATTERN, DatasetEntry, DatasetExamples, DatasetList, ErrorResponse
from nettune.api.services.errors import Conflict, InvalidRequest, TooLarge
from nettune.api.services.uploads import FORMAT_ALIASES, UPLOAD_FORMATS

router = APIRouter(tags=["datasets"])
UploadName = Annotated[str, Path(pattern=RUN_NAME_PATTERN, description="the dataset's name, as jobs will use it")]
NOT_FOUND = {404: {"model": ErrorResponse, "description": "no such uploaded dataset"}}


@router.get("/datasets", response_model=DatasetList, summary="Built-in datasets (and whether they are cached "
            "offline) and uploaded ones")
def datasets(s: ServicesDep) -> DatasetList:
    from nettune.data import dataset_catalog

    out: list[DatasetEntry] = []
    for d in dataset_catalog(s.settings.data_dir):
        image = d["modality"] == "image"
        out.append(DatasetEntry(**{k: d[k] for k in ("name", "modality", "num_classes", "class_names", "train_size",
                                                      "test_size", "description", "available_offline")},
                                input_shape=list(d["input_shape"]), family="cnn" if image else "lstm",
                                task="image classification" if image else "text classification"))
    out += [s.uploads.describe(name) for name in s.uploads.names()]
    return DatasetList(datasets=out)


@router.post("/datasets/uploads/{name}", status_code=201, response_model=DatasetEntry,
             responses={409: {"model": ErrorResponse, "description": "the name is taken"},
                        413: {"model": ErrorResponse, "description": "over the server's upload limits"},
                        422: {"model": ErrorResponse, "description": "not a usable dataset (the reason says why)"}},
             summary="Upload a dataset: a zip of class folders, or a CSV/TSV/JSONL table or .npz, as the raw body")
async def upload(name: UploadName, request: Request, s: ServicesDep,
                 format: Annotated[str | None, Query(description=f"one of {', '.join(UPLOAD_FORMATS)}; default: "
                                                     "from filename")] = None,
                 filename: Annotated[str | None, Query(max_length=255)] = None) -> DatasetEntry:
    fmt = (format or (PurePath(filename).suffix.lstrip(".") if filename else "")).lower()
    fmt = FORMAT_ALIASES.get(fmt, fmt)
    s.uploads.check_name(name, fmt)
    limit = s.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the upload is {int(declared):,} bytes; this server accepts at most {limit:,} "
                       "(--max-upload-mb)")
    incoming, handle = s.uploads.start()
    received = 0
    try:
        with handle:
            async for chunk in request.stream():  # to disk as it arrives: never the whole upload in memory
                received += len(chunk)
                if received > limit:
                    raise TooLarge(f"the upload is over {limit:,} bytes, this server's limit (--max-upload-mb)")
                handle.write(chunk)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    if received == 0:
        incoming.unlink(missing_ok=True)
        raise InvalidRequest("the upload is empty; send the file as the request body")
    return await run_in_threadpool(s.uploads.finish, name, fmt, incoming, filename)


@router.get("/datasets/uploads/{name}", response_model=DatasetEntry, responses=NOT_FOUND,
            summary="One uploaded dataset: classes and their counts")
def uploaded(name: UploadName, s: ServicesDep) -> DatasetEntry:
    return s.uploads.describe(name)


@router.get("/datasets/uploads/{name}/examples", response_model=DatasetExamples, responses=NOT_FOUND,
            summary="A few training examples: thumbnails (PNG data URLs) or text excerpts")
def examples(name: UploadName, s: ServicesDep) -> DatasetExamples:
    return s.uploads.examples(name)


@router.delete("/datasets/uploads/{name}", status_code=204, responses={
    **NOT_FOUND, 409: {"model": ErrorResponse, "description": "a queued or running job uses it"}},
    summary="Delete an uploaded dataset and its decoded cache")
def delete(name: UploadName, s: ServicesDep) -> Response:
    users = s.jobs.active_jobs_using(name)
    if users:
        raise Conflict(f"job(s) {', '.join(users)} use {name!r}; cancel them first")
    s.uploads.delete(name)
    return Response(status_code=204)
