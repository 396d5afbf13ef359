"""EndpointServer: the job store, the worker pool and the HTTP API (uvicorn) started and stopped together."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn

from nettune.endpoint.app import create_app
from nettune.endpoint.jobs import JobStore
from nettune.endpoint.pool import WorkerPool
from nettune.errors import NettuneError

log = logging.getLogger("nettune.endpoint")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Ctrl-C and SIGTERM stop serving, and serve_forever returns normally.

        uvicorn's own version re-raises the signal after shutdown; for SIGTERM that kills the process before
        the worker processes are stopped.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class EndpointServer:
    """Start with `start()` (background thread) or `serve_forever()` (blocking, for the CLI); `stop()` ends both."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8001, concurrency: int = 1, api_key: str | None = None,
                 threads_per_worker: int | None = None, scratch: Path | None = None) -> None:
        self.host, self.port = host, port
        # RunPod answers 429 once the queue holds more than max(50, 500 per worker) jobs; so does this endpoint.
        self.store = JobStore(max_queue=max(50, 500 * concurrency))
        self.pool = WorkerPool(self.store, concurrency, threads_per_worker, scratch)
        self.app = create_app(self.store, self.pool, api_key)
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise NettuneError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}; choose another --port "
                               "or --host") from exc
        sock.listen(2048)  # connections made before uvicorn runs wait in the backlog instead of being refused
        self.port = sock.getsockname()[1]  # port 0 picks a free one
        return sock

    def _make_server(self) -> _Server:
        self._socket = self._bind()
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        return _Server(config)

    def start(self, wait_ready_s: float | None = 120.0) -> str:
        """Serve in a background thread; returns the base URL. Waits for the workers unless wait_ready_s is None."""
        self._server = self._make_server()
        self.pool.start()
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="endpoint-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise NettuneError(f"the endpoint's HTTP server did not start on {self.url}")
            time.sleep(0.01)
        if wait_ready_s is not None and not self.pool.wait_ready(wait_ready_s):
            self.stop()
            raise NettuneError(f"the endpoint's {self.pool.concurrency} worker process(es) did not start within "
                               f"{wait_ready_s:.0f} s")
        return self.url

    def serve_forever(self, on_listening: Callable[[str], None] | None = None) -> None:
        """Serve until Ctrl-C or SIGTERM (uvicorn handles both), then stop the workers."""
        self._server = self._make_server()
        if on_listening is not None:
            on_listening(self.url)
        self.pool.start()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self.pool.close()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
