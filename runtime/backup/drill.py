"""`backup drill`: restore the newest backup into the scratch PostgreSQL at
BACKUP_DRILL_TARGET_DSN (verify.py, then restore.py) and check it holds tables."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from runtime.backup.catalog import open_store, resolve
from runtime.backup.events import BackupEvents
from runtime.backup.manifest import Manifest
from runtime.backup.metrics import push_restore
from runtime.backup.restore import restore_backup, user_tables
from runtime.backup.settings import settings_from
from runtime.backup.verify import verify_backup
from runtime.errors import AwxRuntimeError, ConfigurationError
from runtime.logs import log

SUMMARY = "Restore the newest backup into a scratch database."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No flags of its own: the target is BACKUP_DRILL_TARGET_DSN."""


def _check_restored(dsn: str, env: Mapping[str, str]) -> int:
    tables = user_tables(dsn, env)
    if tables == 0:
        raise AwxRuntimeError("drill: the restored database holds no tables", "drill")
    return tables


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    dsn = os.environ.get("BACKUP_DRILL_TARGET_DSN", "")
    if not dsn:
        raise ConfigurationError("BACKUP_DRILL_TARGET_DSN: required, not set")
    settings.opener()
    success = False
    events = BackupEvents(settings)
    backup: Manifest | None = None
    try:
        store = open_store(settings)
        backup = resolve(store, settings, "latest")
        verify_backup(store, backup, settings)
        restore_backup(store, backup, settings, dsn, clean=True)
        tables = _check_restored(dsn, settings.pg_env())
        success = True
        events.restore(backup.name, None, drill=True)
    except BaseException as error:
        events.restore(backup.name if backup else None, error, drill=True)
        raise
    finally:
        push_restore(
            settings.pushgateway,
            settings.deployment,
            settings.namespace,
            success,
            True,
            events_failed=events.failures,
        )
    log.info(
        "restore drill passed",
        extra={"event": "drill-passed", "backup": backup.name, "relations": tables},
    )
    return 0
