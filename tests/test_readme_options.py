"""The README's option table says what `nettune optimize --help` says: every option it names exists, and every
default it gives as a value is the real default."""

from __future__ import annotations

import re
from pathlib import Path

from nettune.config import option_help

README = Path(__file__).resolve().parents[1] / "README.md"


def _table_rows() -> list[tuple[list[str], str]]:
    rows = []
    for line in README.read_text().splitlines():
        match = re.match(r"\| (`[a-z_]+`(?: / `[a-z_]+`)*) \| ([^|]+) \|", line)
        if match:
            rows.append((re.findall(r"`([a-z_]+)`", match.group(1)), match.group(2).strip()))
    return rows


def test_readme_option_table_matches_the_cli():
    defaults = {name: default for name, default, _ in option_help()}
    rows = _table_rows()
    assert len(rows) >= 12
    for names, default in rows:
        for name in names:
            assert name in defaults, f"README lists {name!r}, which `nettune optimize --help` does not know"
        literal = re.fullmatch(r"`([^`]+)`", default)
        if literal and len(names) == 1:
            assert literal.group(1).lower() == defaults[names[0]].lower(), (names[0], default, defaults[names[0]])
