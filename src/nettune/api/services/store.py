"""JobStore: job records in SQL (SQLite file by default, PostgreSQL or any SQLAlchemy URL), so jobs outlive the
server process. Trials are not stored here: they live in each job's Optuna study."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nettune.errors import ConfigError
from nettune.storage_url import fast_sqlite, with_driver

_metadata = sa.MetaData()
jobs_table = sa.Table(
    "nettune_jobs",
    _metadata,
    sa.Column("job_id", sa.String(32), primary_key=True),
    sa.Column("run_name", sa.String(128), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("started_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("error", sa.Text),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("progress", sa.Text),
    sa.Column("result", sa.Text),
)
_JSON_COLUMNS = ("config", "progress", "result")


@dataclass
class JobRecord:
    job_id: str
    run_name: str
    state: str
    config: dict[str, Any]
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    cancel_requested: bool = False
    progress: dict[str, Any] | None = None
    result: dict[str, Any] | None = None


class JobStore:
    def __init__(self, url: str) -> None:
        url = with_driver(url)
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise ConfigError(f"cannot read the jobs database URL {url!r}: {exc}") from exc
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Request threads, the scheduler and job readers share the store; SQLite serializes writers itself.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        try:
            self.engine = sa.create_engine(url, **kwargs)
            if parsed.get_backend_name() == "sqlite":
                fast_sqlite(self.engine)
            _metadata.create_all(self.engine)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise ConfigError(f"cannot open the jobs database {parsed.render_as_string(hide_password=True)}: "
                              f"{message}") from exc
        self._lock = threading.Lock()

    def insert(self, record: JobRecord) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(jobs_table.insert().values(**_row(record)))

    def update(self, job_id: str, **values: Any) -> None:
        row = {k: json.dumps(v) if k in _JSON_COLUMNS and v is not None else v for k, v in values.items()}
        with self._lock, self.engine.begin() as conn:
            conn.execute(jobs_table.update().where(jobs_table.c.job_id == job_id).values(**row))

    def get(self, job_id: str) -> JobRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(jobs_table.select().where(jobs_table.c.job_id == job_id)).mappings().first()
        return _record(row) if row else None

    def by_run_name(self, run_name: str) -> JobRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(jobs_table.select().where(jobs_table.c.run_name == run_name)).mappings().first()
        return _record(row) if row else None

    def all(self) -> list[JobRecord]:
        query = jobs_table.select().order_by(jobs_table.c.created_at.desc())
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query).mappings()]

    def mark_unfinished(self, states: tuple[str, ...], new_state: str, finished_at: float) -> list[str]:
        """Jobs a dead server left in `states` move to `new_state`; returns their ids."""
        with self._lock, self.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(sa.select(jobs_table.c.job_id).where(jobs_table.c.state.in_(states)))]
            if ids:
                conn.execute(jobs_table.update().where(jobs_table.c.job_id.in_(ids))
                             .values(state=new_state, finished_at=finished_at))
        return ids

    def close(self) -> None:
        self.engine.dispose()


def _row(record: JobRecord) -> dict[str, Any]:
    row = {f.name: getattr(record, f.name) for f in fields(record)}
    for key in _JSON_COLUMNS:
        row[key] = json.dumps(row[key]) if row[key] is not None else None
    return row


def _record(row: Any) -> JobRecord:
    values = dict(row)
    for key in _JSON_COLUMNS:
        values[key] = json.loads(values[key]) if values[key] else None
    values["cancel_requested"] = bool(values["cancel_requested"])
    return JobRecord(**values)
