"""`nettune worker serve`: a RunPod-compatible serverless endpoint on this machine's CPUs/GPUs.

    nettune worker serve --host 127.0.0.1 --port 8001 --concurrency 2 [--api-key KEY]

The API key may also come from $NETTUNE_WORKER_API_KEY. Serving on anything but loopback requires one.
"""

from __future__ import annotations

import argparse
import os
import sys

from nettune.cli.args import parse_flags
from nettune.errors import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nettune worker serve", add_help=True, exit_on_error=False,
                                     description="Serve RunPod's serverless REST protocol for trials run here.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (default 8001; 0 picks a free one)")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes, one trial each (default 1)")
    parser.add_argument("--api-key", default=None, help="require this key (default $NETTUNE_WORKER_API_KEY)")
    parser.add_argument("--threads-per-worker", type=int, default=None,
                        help="CPU threads per worker process (default: cores / concurrency)")
    return parser


def parse_serve_args(args: list[str]) -> argparse.Namespace:
    parser = _parser()
    known = parse_flags(parser, args)
    if not 0 <= known.port <= 65535:
        raise ConfigError(f"--port {known.port} is not a port number (0-65535)")
    if not 1 <= known.concurrency <= 64:
        raise ConfigError(f"--concurrency {known.concurrency} is out of range; use 1 to 64 worker processes")
    if known.threads_per_worker is not None and known.threads_per_worker < 1:
        raise ConfigError("--threads-per-worker must be >= 1")
    known.api_key = known.api_key or os.environ.get("NETTUNE_WORKER_API_KEY") or None
    if known.host not in LOOPBACK and not known.api_key:
        raise ConfigError(f"refusing to serve on {known.host} without an API key: anyone who can reach it could "
                          "run jobs; pass --api-key KEY or set NETTUNE_WORKER_API_KEY")
    return known


def run_worker_serve(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        _parser().print_help()
        return 0
    options = parse_serve_args(args)
    from nettune.endpoint import EndpointServer

    server = EndpointServer(options.host, options.port, options.concurrency, options.api_key,
                            threads_per_worker=options.threads_per_worker)
    # The port is bound inside serve_forever; announce the address once it is known.
    print(f"nettune endpoint: {options.concurrency} worker process(es), API key "
          f"{'required' if options.api_key else 'not required (loopback only)'}; Ctrl-C to stop", file=sys.stderr)
    server.serve_forever(on_listening=lambda url: print(f"listening on {url}", file=sys.stderr, flush=True))
    print("nettune endpoint: stopped", file=sys.stderr)
    return 0
