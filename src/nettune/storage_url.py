"""Storage URLs as users type them: the installed database driver named, and the password kept out of output.

Below study/ and trials/ alike, so the study's own connection and a trial's pruning connection (in another
process) turn `postgresql://` into the same working URL.
"""

from __future__ import annotations

import importlib.util
from typing import Any


def with_driver(url: str) -> str:
    """`postgresql://` means psycopg 3 to SQLAlchemy 2.1; nettune ships psycopg2, so name it when psycopg is absent."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgresql", "postgres") and importlib.util.find_spec("psycopg") is None:
        return f"postgresql+psycopg2://{rest}"
    return url


def masked(url: str | None) -> str | None:
    """The URL with its password replaced by ***, for logs, results files and error messages."""
    if not url:
        return url
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    credentials, at, host = netloc.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{slash}{path}"


def fast_sqlite(engine: Any) -> None:
    """Write-ahead logging with commits that skip fsync, on every connection of a SQLAlchemy engine.

    Every set_user_attr and every job progress update is its own transaction; with SQLite's defaults each one
    waited for the disk (30-110 ms per recorded trial here; a few ms with WAL). In WAL mode a crash can lose at
    most the last commits, never corrupt the file, and readers (the API, a second process) never block the writer.
    """
    from sqlalchemy import event  # only the storage layers that open SQLite need SQLAlchemy

    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # connections opened before the listener get the pragmas on reconnect
