"""`nettune serve`: the REST + WebSocket API and the web dashboard, in one process on one port."""

from __future__ import annotations

import argparse
import errno
import logging
import socket
from pathlib import Path

from nettune.api.settings import TOKEN_ENV, ApiSettings
from nettune.errors import ConfigError
from nettune.logs import FORMAT


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"serve: {message}; see 'nettune serve --help'")


def _parser() -> argparse.ArgumentParser:
    defaults = ApiSettings.__dataclass_fields__
    p = _Parser(prog="nettune serve", description="Start the nettune API and web dashboard.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind; any but loopback requires a token")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--token", default=None, help=f"bearer token clients must send (default ${TOKEN_ENV})")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="browser origin allowed to call the API cross-origin (repeatable)")
    p.add_argument("--max-running-jobs", type=int, default=defaults["max_running_jobs"].default,
                   help="jobs that train at once; more wait as QUEUED")
    p.add_argument("--max-queued-jobs", type=int, default=defaults["max_queued_jobs"].default,
                   help="jobs that may wait; beyond this POST /optimize answers 429")
    p.add_argument("--max-trials", type=int, default=defaults["max_trials"].default)
    p.add_argument("--max-epochs", type=int, default=defaults["max_epochs_per_trial"].default)
    p.add_argument("--max-workers", type=int, default=defaults["max_concurrent_workers"].default)
    p.add_argument("--max-body-bytes", type=int, default=defaults["max_body_bytes"].default)
    p.add_argument("--max-upload-mb", type=int, default=defaults["max_upload_bytes"].default // 2**20,
                   help="largest dataset upload (zip or table), in MiB; a zip may unpack to 4x this")
    p.add_argument("--output-dir", default="optimization_results", help="where run directories live")
    p.add_argument("--data-dir", default=None, help="dataset cache (default $NETTUNE_DATA_DIR or the user cache)")
    p.add_argument("--allow-endpoint", action="append", default=[], metavar="ENDPOINT",
                   help="a RunPod endpoint id or self-hosted worker URL that jobs may run trials on (repeatable; "
                        "default: none, so API clients cannot point the server at addresses of their choosing)")
    p.add_argument("--jobs-db", default=None, help="SQLAlchemy URL of the job store "
                   "(default sqlite:///<output-dir>/jobs.db), e.g. postgresql://user:pw@host/db")
    return p


def parse_settings(args: list[str]) -> ApiSettings:
    ns = _parser().parse_args(args)
    return ApiSettings.from_env(
        host=ns.host, port=ns.port, token=ns.token, cors_origins=tuple(ns.cors_origin),
        max_running_jobs=ns.max_running_jobs, max_queued_jobs=ns.max_queued_jobs, max_trials=ns.max_trials,
        max_epochs_per_trial=ns.max_epochs, max_concurrent_workers=ns.max_workers,
        max_body_bytes=ns.max_body_bytes, max_upload_bytes=ns.max_upload_mb * 2**20,
        max_unpacked_bytes=4 * ns.max_upload_mb * 2**20, output_dir=Path(ns.output_dir),
        data_dir=Path(ns.data_dir) if ns.data_dir else None, jobs_db=ns.jobs_db,
        allowed_endpoints=tuple(ns.allow_endpoint),
    )


def run_serve(args: list[str]) -> int:
    settings = parse_settings(args)
    settings.validate()  # before the slow imports: a refusal is immediate
    import uvicorn

    from nettune.api.app import create_app

    sock = _bind(settings.host, settings.port)  # before "serving": a port in use is one line, not uvicorn's error
    app = create_app(settings)
    # The server's own lines (jobs created, started, ended) join the jobs' lines in logs/nettune.log.
    log_dir = settings.workdir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_dir / "nettune.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.getLogger("nettune.api").addHandler(handler)
    auth = "token required" if settings.auth_required else "no token (loopback only)"
    print(f"nettune: serving http://{settings.host}:{settings.port}/ (dashboard at /, API docs at /docs, {auth}); "
          f"runs in {settings.output_dir}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning"))
    server.run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        reason = "is in use by another program" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise ConfigError(f"port {port} on {host} {reason}; choose another with --port") from None
    sock.set_inheritable(True)
    return sock
