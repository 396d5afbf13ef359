"""The export package's error: one line naming what failed, shown to the user without a traceback."""

from __future__ import annotations

from nettune.errors import NettuneError


class ExportError(NettuneError):
    """The model could not be exported, or the exported model does not reproduce PyTorch's outputs."""
