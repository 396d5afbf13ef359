"""The README's option table is what `nettune optimize --help` prints: both come from config.option_help, the
table through nettune.cli.option_table (`make readme-options`)."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from nettune.cli.main import main
from nettune.cli.option_table import README, current_block, markdown_table
from nettune.config import OptimizationConfig, option_help


def test_readme_option_table_is_the_generated_one() -> None:
    readme = README.read_text()
    found = current_block(readme)
    assert found is not None, "README.md lost its option-table markers; see nettune/cli/option_table.py"
    assert found.splitlines()[1:-1] == markdown_table().splitlines(), (
        "README.md's option table differs from `nettune optimize --help`; run `make readme-options`")


def test_the_table_lists_every_option_with_its_default() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z_0-9]+)` \| `([^`]*)` \|", markdown_table(), re.M)}
    assert list(rows) == [f.name for f in fields(OptimizationConfig)]
    assert rows["trials"] == str(OptimizationConfig().trials)
    assert rows["warm_start"] == "true" and rows["storage"] == "none" and rows["concurrent_workers"] == "auto"


def test_cli_help_prints_the_same_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimize", "--help"]) == 0
    printed = capsys.readouterr().out
    for name, default, _ in option_help():
        assert name in printed, f"`nettune optimize --help` does not show {name}"
        assert default in printed, f"`nettune optimize --help` does not show {name}'s default {default!r}"
