"""`backup prune`: apply retention (age, count, daily/weekly/monthly/yearly, min_backups;
retention.py) and remove partial leftovers older than a day; --dry-run prints what would go and
why. `create` runs the same after each backup."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from runtime.backup import manifest as manifests
from runtime.backup.catalog import open_store
from runtime.backup.events import BackupEvents
from runtime.backup.lock import BackupLock
from runtime.backup.manifest import MANIFEST, iso
from runtime.backup.retention import BackupRecord, decide
from runtime.backup.settings import BackupSettings, settings_from
from runtime.backup.store import BackupStore
from runtime.logs import log

SUMMARY = "Apply retention and remove partial leftovers."
LEFTOVER_AGE = timedelta(days=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only print what would go, why")


def prune_backups(settings: BackupSettings, store: BackupStore, dry_run: bool) -> list[str]:
    """Names of the complete backups retention removed (would remove, in a dry run)."""
    removed: list[str] = []
    backups = manifests.complete_backups(store, settings.prefix)
    records = [BackupRecord(backup.name, backup.finished) for backup in backups]
    now = datetime.now(UTC)
    complete = {backup.name for backup in backups}
    for decision in decide(records, settings.retention(), now):
        verdict = "keep" if decision.keep else "delete"
        if dry_run:
            print(f"{verdict} {decision.name}: {'; '.join(decision.reasons)}")
        if decision.keep:
            continue
        log.info(
            f"pruning {decision.name}",
            extra={"event": "prune", "backup": decision.name, "reasons": decision.reasons},
        )
        if not dry_run:
            _delete_backup(store, f"{settings.prefix}/{decision.name}/")
        removed.append(decision.name)
    for name, newest in _leftovers(store, settings.prefix, complete).items():
        if now - newest < LEFTOVER_AGE:
            continue
        if dry_run:
            print(f"delete {name}: partial leftover (no manifest), last written {iso(newest)}")
        else:
            log.info("removing partial leftover", extra={"event": "prune", "backup": name})
            _delete_backup(store, f"{settings.prefix}/{name}/")
    return removed


def _leftovers(store: BackupStore, prefix: str, complete: set[str]) -> dict[str, datetime]:
    """Backup directories without a manifest -> their newest object's time."""
    newest: dict[str, datetime] = {}
    for item in store.list(f"{prefix}/{manifests.NAME_PREFIX}"):
        name = item.key[len(prefix) + 1 :].split("/", 1)[0]
        if name not in complete:
            newest[name] = max(item.modified, newest.get(name, item.modified))
    return newest


def _delete_backup(store: BackupStore, directory: str) -> None:
    keys = [item.key for item in store.list(directory)]
    # The manifest goes first: a half-deleted backup must not look complete.
    store.delete([key for key in keys if key.endswith(f"/{MANIFEST}")])
    store.delete([key for key in keys if not key.endswith(f"/{MANIFEST}")])


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    store = open_store(settings)
    if arguments.dry_run:
        prune_backups(settings, store, dry_run=True)
        return 0
    with BackupLock(store, settings.prefix, settings.deployment, settings.lock_ttl):
        removed = prune_backups(settings, store, dry_run=False)
    BackupEvents(settings).pruned(removed)
    return 0
