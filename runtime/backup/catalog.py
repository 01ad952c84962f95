"""What the backup commands share to find backups: the configured store, opened and checked,
and a backup by name (or `latest`) among the complete ones in it."""

from __future__ import annotations

from runtime.backup import manifest as manifests
from runtime.backup.manifest import Manifest
from runtime.backup.settings import BackupSettings
from runtime.backup.store import BackupStore
from runtime.errors import AwxRuntimeError


def open_store(settings: BackupSettings) -> BackupStore:
    # Imported here so a command that fails on its settings never loads a cloud SDK.
    from runtime.backup.stores import open_store as open_configured_store  # noqa: PLC0415

    store = open_configured_store(settings.store_env())
    store.check_access()
    return store


def resolve(store: BackupStore, settings: BackupSettings, wanted: str) -> Manifest:
    backups = manifests.complete_backups(store, settings.prefix)
    if wanted == "latest":
        if not backups:
            raise AwxRuntimeError(
                f"no complete backup in {store.description}/{settings.prefix}", "object-missing"
            )
        return backups[0]
    for backup in backups:
        if backup.name == wanted:
            return backup
    raise AwxRuntimeError(
        f"backup {wanted} not found (or incomplete: no manifest) in "
        f"{store.description}/{settings.prefix}",
        "object-missing",
    )
