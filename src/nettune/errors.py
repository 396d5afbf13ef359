"""User-facing errors: one line that says what is wrong and how to fix it."""

from __future__ import annotations


class NettuneError(Exception):
    """An error caused by input or environment, shown to the user as one line (no traceback)."""


class ConfigError(NettuneError):
    """A bad option, key or value."""


class DataError(NettuneError):
    """A dataset that cannot be found, fetched or verified."""

