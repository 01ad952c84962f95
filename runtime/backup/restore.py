"""`backup restore NAME|latest`: stream a backup into --target-dsn in one transaction
(pg_restore --single-transaction): refuses a non-empty target unless --clean; --restore-secrets
recreates AWX's Secrets."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from runtime.backup import secrets_archive
from runtime.backup.catalog import open_store, resolve
from runtime.backup.events import BackupEvents
from runtime.backup.feed import PipeSink, database_object, feed, read_secrets
from runtime.backup.manifest import Manifest
from runtime.backup.metrics import push_restore
from runtime.backup.pipeline import DumpProcess
from runtime.backup.psql import query_value
from runtime.backup.settings import BackupSettings, settings_from
from runtime.backup.store import BackupStore
from runtime.errors import AwxRuntimeError, ConfigurationError
from runtime.logs import log

SUMMARY = "Restore a backup into a database."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME|latest")
    parser.add_argument(
        "--target-dsn",
        default=os.environ.get("BACKUP_TARGET_DSN"),
        help="libpq connection string of the target database; password from PGPASSWORD "
        "(env BACKUP_TARGET_DSN; required)",
    )
    parser.add_argument(
        "--clean", action="store_true", help="drop the target's objects first (else: refuse)"
    )
    parser.add_argument(
        "--restore-secrets",
        action="store_true",
        help="recreate AWX's Secrets in AWX_NAMESPACE (Kubernetes API)",
    )


def user_tables(dsn: str, env: Mapping[str, str]) -> int:
    query = (
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p', 'v', 'm', 'S') and n.nspname <> 'information_schema' "
        "and n.nspname not like 'pg\\_%'"
    )
    failure = "cannot connect to the target database"
    return int(query_value(query, env, failure=failure, kind="restore", dsn=dsn) or 0)


def restore_backup(
    store: BackupStore, backup: Manifest, settings: BackupSettings, dsn: str, clean: bool
) -> None:
    opener = settings.opener()
    record = database_object(backup, opener)
    if not clean and (tables := user_tables(dsn, settings.pg_env())):
        raise AwxRuntimeError(
            f"target database is not empty ({tables} relations): restore --clean replaces them",
            "restore",
        )
    command = ["pg_restore", "--dbname", dsn, "--no-owner", "--exit-on-error"]
    command += ["--single-transaction", *(["--clean", "--if-exists"] if clean else [])]
    restorer = DumpProcess(command, settings.pg_env(), stdin=True)
    log.info("restore started", extra={"event": "restore-started", "backup": backup.name})
    try:
        sink = PipeSink(restorer, tolerate_early_exit=False)
        feed(store, backup, record, opener=opener, sink=sink, action="restore")
    except AwxRuntimeError:
        # pg_restore's own error explains a broken pipe better than the pipe does.
        if restorer.process.poll() not in (None, 0):
            restorer.check()
        raise
    finally:
        # Killing it before it saw the end rolls back the single transaction.
        restorer.kill()


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    if not arguments.target_dsn:
        raise ConfigurationError("--target-dsn / BACKUP_TARGET_DSN: required, not set")
    settings.opener()
    success = False
    events = BackupEvents(settings)
    backup: Manifest | None = None
    try:
        store = open_store(settings)
        backup = resolve(store, settings, arguments.name)
        secrets, api = None, None
        if arguments.restore_secrets:
            # Read (and decrypt) them and reach the API first: a restore that cannot bring the
            # Secrets back fails before it touches the database.
            secrets = read_secrets(store, backup, settings)
            if secrets is None:
                raise AwxRuntimeError(f"backup {backup.name} carries no Secrets", "restore")
            api = secrets_archive.kubernetes_api(settings.kube)
        restore_backup(store, backup, settings, arguments.target_dsn, arguments.clean)
        if secrets is not None:
            names = secrets_archive.restore_to_kubernetes(api, secrets, settings.namespace)
            log.info("secrets restored", extra={"event": "secrets-restored", "secrets": names})
        success = True
        events.restore(backup.name, None, drill=False)
    except BaseException as error:
        events.restore(backup.name if backup else arguments.name, error, drill=False)
        raise
    finally:
        push_restore(
            settings.pushgateway,
            settings.deployment,
            settings.namespace,
            success,
            False,
            events_failed=events.failures,
        )
    log.info("restore complete", extra={"event": "restore-complete", "backup": backup.name})
    return 0
