"""`nettune worker serve|pull`: the two ways a machine runs trials for a study it does not own."""

from __future__ import annotations

from nettune.errors import NettuneError

USAGE = """usage: nettune worker serve [--host 127.0.0.1] [--port 8001] [--concurrency N] [--api-key KEY]
       nettune worker pull --storage URL --study NAME [--n-trials K] [--gpus LIST]

  serve   a RunPod-compatible serverless endpoint (POST /run, GET /status/{id}, ...) on this machine
  pull    pull trials of a shared-storage (e.g. PostgreSQL) study until it is done"""


def run_worker(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    sub, rest = args[0], args[1:]
    if sub == "serve":
        from nettune.cli.worker_serve_cmd import run_worker_serve

        return run_worker_serve(rest)
    if sub == "pull":
        from nettune.cli.worker_pull_cmd import run_worker_pull

        return run_worker_pull(rest)
    raise NettuneError(f"unknown worker command {sub!r}; use 'nettune worker serve' or 'nettune worker pull'")
