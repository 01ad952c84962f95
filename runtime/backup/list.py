"""`backup list`: complete backups (with a manifest), newest first; --json for scripts."""

from __future__ import annotations

import argparse
import json

from runtime.backup import manifest as manifests
from runtime.backup.catalog import open_store
from runtime.backup.settings import settings_from

SUMMARY = "List complete backups, newest first."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON array of manifests")


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    store = open_store(settings)
    backups = manifests.complete_backups(store, settings.prefix)
    if arguments.json:
        print(json.dumps([backup.data for backup in backups], indent=2))
        return 0
    # rich is imported only here: a create/restore pod need not hold it in memory.
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table("name", "finished", "size", "compression", "encryption", box=None)
    for backup in backups:
        table.add_row(
            backup.name,
            backup.data["finished"],
            f"{backup.size / (1 << 20):.1f} MiB",
            backup.compression,
            str(backup.encryption.get("mode")),
        )
    Console(width=200).print(table)
    return 0
