"""`nettune` command: optimize, datasets, serve, worker. Errors are one line unless --debug."""

from __future__ import annotations

import logging
import sys
import traceback

from rich.console import Console
from rich.table import Table

from nettune import __version__
from nettune.config import option_help
from nettune.errors import NettuneError

USAGE = """usage: nettune [--debug] COMMAND [OPTIONS]

commands:
  optimize KEY=VALUE ...   run (or resume) a study, e.g.
                           nettune optimize dataset=mnist trials=8 mode=health max_epochs_per_trial=6
  datasets [PATH]          list datasets, their type and whether they are cached for offline use;
                           with PATH, read your own data (class folders, .csv/.tsv/.jsonl, .npz) and
                           show its classes
  serve [--host H] [--port P]
                           start the REST + WebSocket API and the web dashboard
  worker serve|pull ...    run trials for others: a self-hosted RunPod-style endpoint (serve) or a
                           worker that pulls trials from a shared-storage study (pull)
  --version                print the version

Run 'nettune optimize --help' for every option."""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    _console_logging(debug)
    try:
        return _dispatch(args)
    except NettuneError as exc:
        if debug:
            traceback.print_exc()
        print(f"nettune: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nettune: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first_line = (str(exc).splitlines() or [""])[0]
        print(f"nettune: unexpected error: {type(exc).__name__}: {first_line} (rerun with --debug for details)",
              file=sys.stderr)
        return 1


def _console_logging(debug: bool) -> None:
    """Warnings (or everything with --debug) on stderr; the run's files get the full INFO log."""
    handler = logging.StreamHandler()
    handler.setLevel(logging.DEBUG if debug else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("nettune").setLevel(logging.DEBUG if debug else logging.INFO)


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "--version":
        print(f"nettune {__version__}")
        return 0
    if command == "optimize":
        if rest and rest[0] in ("-h", "--help"):
            _print_options()
            return 0
        from nettune.cli.optimize_cmd import run_optimize

        return run_optimize(rest)
    if command == "datasets":
        from nettune.cli.datasets_cmd import run_datasets

        return run_datasets(rest)
    if command == "serve":
        from nettune.cli.serve_cmd import run_serve

        return run_serve(rest)
    if command == "worker":
        from nettune.cli.worker_cmd import run_worker

        return run_worker(rest)
    raise NettuneError(f"unknown command {command!r}; use one of: optimize, datasets, serve, worker "
                       "(see 'nettune --help')")


def _print_options() -> None:
    table = Table(title="nettune optimize options (key=value or --key value)", show_lines=False)
    for column in ("option", "default", "meaning"):
        table.add_column(column)
    for name, default, text in option_help():
        table.add_row(name, default, text)
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
