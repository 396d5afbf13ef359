"""A private PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory, a server on a free
loopback port (unix socket in the same directory), stopped and deleted afterwards. Nothing system-wide is
touched. Needs the server binaries (scripts/ensure_postgres.sh installs Debian's `postgresql`)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; run "
                                  "scripts/ensure_postgres.sh (part of 'make test'), or set NETTUNE_SKIP_POSTGRES=1 "
                                  "to skip the tests that need PostgreSQL")
    return Path(versions[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="nettune-pg-"))
        self.port = _free_port()
        # initdb refuses to run as root: then the server runs as an unprivileged user that owns the directory.
        self.user = None
        if os.geteuid() == 0:
            self.user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
            if self.user is None:
                raise PostgresUnavailable("running as root and neither a 'postgres' nor a 'nobody' user exists "
                                          "to run the PostgreSQL server as")
            shutil.chown(self.root, self.user)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise PostgresUnavailable(f"{Path(args[0]).name} failed (exit {result.returncode}): "
                                      f"{(result.stderr or result.stdout).strip()[-800:]} {tail}".strip())

    def start(self) -> PrivatePostgres:
        data = self.root / "data"
        self._run(self.bin / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        # Durability settings off: the cluster lives for one test session.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.bin / "pg_ctl", "-D", data, "-l", self.root / "server.log", "-w", "-t", "60", "-o", options,
                  "start")
        return self

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return f"{self.url}/{name}"

    def stop(self) -> None:
        try:
            if (self.root / "data" / "postmaster.pid").exists():
                self._run(self.bin / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
