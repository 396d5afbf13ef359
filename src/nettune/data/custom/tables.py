"""Text tables (CSV, TSV, JSON Lines) -> tokenised documents with a label each.

The text and label columns are found by name (TEXT_NAMES, LABEL_NAMES) unless text_column= / label_column= name
them. Labels may be integers or strings but not both; classes are the sorted distinct labels.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nettune.data.decoded import TextCorpus
from nettune.data.text import CorpusBuilder
from nettune.errors import DataError

TEXT_NAMES = ("text", "review", "sentence", "content", "document", "body", "comment", "message")
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "y")


@dataclass
class DecodedTable:
    corpus: TextCorpus
    class_names: tuple[str, ...]
    notes: dict[str, Any]


def decode_table(path: Path, text_column: str | None, label_column: str | None) -> DecodedTable:
    rows, columns = _read_rows(path)
    if not rows:
        raise DataError(f"{path} has no rows; give one row per example with a text and a label column")
    text_key = _column(path, columns, text_column, TEXT_NAMES, "text")
    label_key = _column(path, columns, label_column, LABEL_NAMES, "label")
    values: list[Any] = []
    for line, row in rows:
        value = row.get(label_key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DataError(f"{path}, line {line}: no {label_key!r} value; every example needs a label")
        values.append(value.strip() if isinstance(value, str) else value)
    class_names, labels = _classes(path, label_key, values)
    builder = CorpusBuilder()
    for (line, row), label in zip(rows, labels, strict=True):
        text = row.get(text_key)
        if not isinstance(text, str):
            raise DataError(f"{path}, line {line}: {text_key!r} is {type(text).__name__}, not text")
        builder.add("train", text, label)
    train = builder.docs("train")
    assert train is not None  # rows is not empty
    words = builder.words()
    notes = {"text_column": text_key, "label_column": label_key, "rows": len(rows)}
    return DecodedTable(TextCorpus(train, None, len(words), words), class_names, notes)


def _read_rows(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        rows: list[tuple[int, dict[str, Any]]] = []
        for line, text in enumerate(raw.splitlines(), start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except ValueError as exc:
                raise DataError(f"{path}, line {line}: not JSON ({exc.msg}); give one object per line") from None
            if not isinstance(item, dict):
                raise DataError(f"{path}, line {line}: a {type(item).__name__}, not an object with named fields")
            rows.append((line, item))
        columns = list(dict.fromkeys(k for _, item in rows for k in item))
        return rows, columns
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    csv.field_size_limit(1 << 26)  # long documents are normal in text datasets
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter)
    try:
        # reader.line_num is the physical line the row ended on: quoted newlines make it differ from the row index
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise DataError(f"{path}, line {reader.line_num}: {exc}; check the quoting") from None
    return rows, list(reader.fieldnames or [])


def _column(path: Path, columns: list[str], given: str | None, names: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in columns:
            raise DataError(f"{path} has no column {given!r}; its columns are: {', '.join(columns)}; "
                            f"set {what}_column= to one of them")
        return given
    lowered = {c.strip().lower(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    raise DataError(f"{path}: no {what} column found among {', '.join(columns) or '(none)'}; "
                    f"name it with {what}_column=")


def _classes(path: Path, column: str, values: list[Any]) -> tuple[tuple[str, ...], list[int]]:
    """Class names and each row's class index. Integer labels sort numerically, whether written 2 or "2"."""
    kinds = {_kind(v) for v in values}
    if "other" in kinds:
        odd = next(v for v in values if _kind(v) == "other")
        raise DataError(f"{path}: label {odd!r} in {column!r} is neither an integer nor a string; use one of those")
    if len(kinds) > 1:
        number = next(v for v in values if _kind(v) == "number")
        word = next(v for v in values if _kind(v) == "word")
        raise DataError(f"{path}: labels in {column!r} mix numbers (e.g. {number!r}) and words (e.g. {word!r}); "
                        "use one kind for every row")
    keys: list[Any] = [int(v) for v in values] if kinds == {"number"} else [str(v) for v in values]
    distinct = sorted(set(keys))
    index = {v: i for i, v in enumerate(distinct)}
    return tuple(str(v) for v in distinct), [index[k] for k in keys]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "word"  # true/false labels are names, not numbers
    if isinstance(value, int):
        return "number"
    if isinstance(value, str):
        return "number" if value.lstrip("-").isdigit() else "word"
    return "other"
