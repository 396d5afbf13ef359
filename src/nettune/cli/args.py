"""Command-line option parsing in the seeds' key=value style and as --flags; both may be mixed."""

from __future__ import annotations

import argparse

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError


def parse_options(tokens: list[str]) -> OptimizationConfig:
    """`dataset=mnist trials=8 --mode health --run-name=demo` -> OptimizationConfig."""
    pairs: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--"):
            key, sep, value = token[2:].partition("=")
            if not sep:
                if i + 1 >= len(tokens) or tokens[i + 1].startswith("--"):
                    raise ConfigError(f"option --{key} needs a value, e.g. --{key}=VALUE")
                i += 1
                value = tokens[i]
        elif "=" in token:
            key, _, value = token.partition("=")
        else:
            raise ConfigError(f"cannot read {token!r}; write options as key=value or --key value")
        if not key:
            raise ConfigError(f"cannot read {token!r}: the option name is empty")
        pairs[key] = value
        i += 1
    return OptimizationConfig.from_strings(pairs)


def parse_flags(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace:
    """--flag parsing for the subcommands that take flags: a bad or unknown flag is a one-line ConfigError."""
    hint = f"(see '{parser.prog} --help')"
    try:
        known, extra = parser.parse_known_args(args)
    except argparse.ArgumentError as exc:
        raise ConfigError(f"{exc} {hint}") from None
    if extra:
        raise ConfigError(f"unknown argument(s) for '{parser.prog}': {' '.join(extra)} {hint}")
    return known
