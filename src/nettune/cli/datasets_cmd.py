"""`nettune datasets`: what can be optimized, and what is already cached for offline use."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from nettune.data import dataset_catalog


def run_datasets() -> int:
    table = Table(title="nettune datasets")
    for column in ("name", "type", "classes", "train", "test", "cached offline"):
        table.add_column(column, no_wrap=True)
    for d in dataset_catalog():
        kind = "image classification" if d["modality"] == "image" else "text classification"
        table.add_row(d["name"], kind, str(d["num_classes"]), str(d.get("train_size", "?")),
                      str(d.get("test_size", "?")), "yes" if d.get("available_offline") else "no")
    Console().print(table)
    return 0
