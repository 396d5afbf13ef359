"""`nettune datasets`: what can be optimized, and what is already cached for offline use.

`nettune datasets PATH [image_size=N text_column=C label_column=L data_dir=D]` reads your own data as a study
would (decoding it into the cache once) and says what nettune made of it: the family, classes and their counts,
the input size, skipped files, and the content key trial processes and workers will use.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from nettune.config import OptimizationConfig
from nettune.data import CustomOptions, dataset_catalog, load_dataset
from nettune.errors import ConfigError


def run_datasets(args: list[str] | None = None) -> int:
    if args:
        return _describe_custom(args)
    table = Table(title="nettune datasets")
    for column in ("name", "type", "classes", "train", "test", "cached offline"):
        table.add_column(column, no_wrap=True)
    for d in dataset_catalog():
        kind = "image classification" if d["modality"] == "image" else "text classification"
        table.add_row(d["name"], kind, str(d["num_classes"]), str(d.get("train_size", "?")),
                      str(d.get("test_size", "?")), "yes" if d.get("available_offline") else "no")
    Console().print(table)
    Console().print("Your own data: nettune datasets PATH (a folder of class folders, a .csv/.tsv/.jsonl or a .npz)")
    return 0


def _describe_custom(args: list[str]) -> int:
    path, *rest = args
    pairs = dict(arg.split("=", 1) for arg in rest if "=" in arg)
    unknown = [arg for arg in rest if "=" not in arg] + \
        [k for k in pairs if k not in ("image_size", "text_column", "label_column", "data_dir")]
    if unknown:
        raise ConfigError(f"nettune datasets PATH takes image_size=, text_column=, label_column= and data_dir=, "
                          f"not {unknown[0]!r}")
    config = OptimizationConfig.from_strings({"dataset": path, **pairs})
    data = load_dataset(config.dataset, data_dir=Path(config.data_dir) if config.data_dir else None,
                        custom=CustomOptions(config.image_size, config.text_column, config.label_column))
    custom, info = data.notes["custom"], data.info
    console = Console()
    shape = "x".join(map(str, info.input_shape))
    console.print(f"[bold]{custom['source']}[/]: {data.notes['format']}, {info.num_classes} classes, "
                  f"{custom['family']} models ({custom['family_reason']}), inputs {shape}")
    table = Table()
    for column in ("class", *custom["class_counts"]):
        table.add_column(column)
    for name in info.class_names:
        table.add_row(name, *(str(counts.get(name, 0)) for counts in custom["class_counts"].values()))
    console.print(table)
    console.print(f"test split: {data.notes['test_split']}")
    if custom.get("skipped_unreadable"):
        console.print(f"skipped {custom['skipped_unreadable']} unreadable file(s), e.g. "
                      f"{', '.join(custom['skipped_examples'])}", style="yellow")
    console.print(f"decoded and cached as {custom['ref']}")
    return 0
