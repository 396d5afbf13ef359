"""ApiSettings: everything `nettune serve` can be told, validated before the server starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nettune.errors import ConfigError
from nettune.executors.remote.access import check_transport
from nettune.executors.remote.client import resolve_endpoint
from nettune.netaddr import is_loopback

TOKEN_ENV = "NETTUNE_API_TOKEN"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@dataclass
class ApiSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    output_dir: Path = Path("optimization_results")
    data_dir: Path | None = None
    jobs_db: str | None = None  # SQLAlchemy URL; default: SQLite file in output_dir
    # Remote endpoints (ids or URLs) that jobs may send trials to; none by default (see executors/remote/access.py).
    allowed_endpoints: tuple[str, ...] = ()
    # Jobs run with this as their working directory, so logs/nettune.log lands where the CLI would put it.
    workdir: Path = field(default_factory=Path.cwd)
    max_running_jobs: int = 1
    max_queued_jobs: int = 100
    max_trials: int = 1000
    max_epochs_per_trial: int = 200
    max_concurrent_workers: int = 16
    max_body_bytes: int = 64 * 1024
    # Dataset uploads (POST /datasets/uploads/{name}) stream past max_body_bytes up to these limits.
    max_upload_bytes: int = 512 * 1024 * 1024
    max_unpacked_bytes: int = 2 * 1024 * 1024 * 1024
    max_upload_files: int = 200_000
    uploads_dir: Path | None = None  # default: <output_dir>/uploads
    cancel_grace_s: float = 120.0  # after a cancel, how long a job may take to stop before it is killed
    shutdown_grace_s: float = 10.0  # on server stop, how long running jobs get to stop cleanly
    static_dir: Path = STATIC_DIR

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir).resolve()
        self.workdir = Path(self.workdir).resolve()
        if self.data_dir is not None:
            self.data_dir = Path(self.data_dir).resolve()
        self.uploads_dir = Path(self.uploads_dir or self.output_dir / "uploads").resolve()
        if self.token is not None and not self.token.strip():
            self.token = None

    @classmethod
    def from_env(cls, **overrides: object) -> ApiSettings:
        """Settings with the token taken from $NETTUNE_API_TOKEN unless given."""
        if overrides.get("token") is None:
            overrides["token"] = os.environ.get(TOKEN_ENV) or None
        return cls(**overrides)  # type: ignore[arg-type]

    @property
    def auth_required(self) -> bool:
        return self.token is not None

    @property
    def jobs_db_url(self) -> str:
        return self.jobs_db or f"sqlite:///{self.output_dir / 'jobs.db'}"

    def validate(self) -> None:
        if not is_loopback(self.host) and self.token is None:
            raise ConfigError(f"refusing to listen on {self.host} without a token: anyone who can reach it could "
                              f"run jobs and read results; set ${TOKEN_ENV} or pass --token (or use --host 127.0.0.1)")
        if self.token is not None and len(self.token) < 8:
            raise ConfigError("the API token is too short; use at least 8 characters")
        for name in ("max_running_jobs", "max_trials", "max_epochs_per_trial", "max_concurrent_workers",
                     "max_body_bytes", "max_upload_bytes", "max_unpacked_bytes", "max_upload_files"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_queued_jobs < 0:
            raise ConfigError(f"max_queued_jobs must be >= 0, got {self.max_queued_jobs}")
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            probe = self.output_dir / ".nettune-write-test"
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise ConfigError(f"cannot write runs into --output-dir {self.output_dir} ({exc.strerror or exc}); "
                              "choose a writable directory") from None
        for endpoint in self.allowed_endpoints:
            check_transport(resolve_endpoint(endpoint))
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must be in 1..65535, got {self.port}")
