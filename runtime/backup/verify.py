"""`backup verify NAME|latest`: download, decrypt, decompress, check sizes and sha256, and that
`pg_restore --list` reads the dump; writes to no database."""

from __future__ import annotations

import argparse

from runtime.backup.catalog import open_store, resolve
from runtime.backup.feed import PipeSink, database_object, feed, read_secrets
from runtime.backup.manifest import Manifest
from runtime.backup.pipeline import DumpProcess
from runtime.backup.settings import BackupSettings, settings_from
from runtime.backup.store import BackupStore
from runtime.logs import log

SUMMARY = "Check a backup end to end without a database."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME|latest")


def verify_backup(store: BackupStore, backup: Manifest, settings: BackupSettings) -> None:
    opener = settings.opener()
    record = database_object(backup, opener)
    lister = DumpProcess(["pg_restore", "--list"], settings.pg_env(), stdin=True)
    try:
        sink = PipeSink(lister, tolerate_early_exit=True)
        feed(store, backup, record, opener=opener, sink=sink, action="verify")
    finally:
        lister.kill()
    read_secrets(store, backup, settings)


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    settings.opener()
    store = open_store(settings)
    backup = resolve(store, settings, arguments.name)
    verify_backup(store, backup, settings)
    log.info("backup verified", extra={"event": "verified", "backup": backup.name})
    return 0
