"""Storage URLs as users type them: the installed database driver named, and the password kept out of output.

Below study/ and trials/ alike, so the study's own connection and a trial's pruning connection (in another
process) turn `postgresql://` into the same working URL.
"""

from __future__ import annotations

import importlib.util


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
