"""`backup create`: pg_dump -Fc -Z0 --clean --create -> zstd|gzip|none -> age|aes-256 -> store,
plus AWX's Secrets from --secrets-dir the same way; manifest.json LAST; then prune (prune.py).
One run per deployment at a time (a lock in the store)."""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from runtime.backup import manifest as manifests
from runtime.backup import secrets_archive
from runtime.backup.catalog import open_store
from runtime.backup.compression import SUFFIXES
from runtime.backup.events import BackupEvents
from runtime.backup.lock import BackupLock
from runtime.backup.manifest import MANIFEST, Manifest, backup_name, iso
from runtime.backup.metrics import push_backup
from runtime.backup.pipeline import DumpProcess, ObjectRecord, seal_object
from runtime.backup.progress import progress
from runtime.backup.prune import prune_backups
from runtime.backup.psql import query_value
from runtime.backup.settings import BackupSettings, settings_from
from runtime.backup.store import BackupStore
from runtime.errors import AwxRuntimeError
from runtime.logs import log

SUMMARY = "Back up AWX's database and Secrets."
DUMP_COMMAND = ("pg_dump", "-Fc", "-Z0", "--clean", "--create")
PROGRAM_VERSION = "0.1.0"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--secrets-dir",
        default=os.environ.get("BACKUP_SECRETS_DIR"),
        help="directory with one sub-directory per AWX Secret (env BACKUP_SECRETS_DIR)",
    )
    parser.add_argument(
        "--no-prune", action="store_true", help="do not apply retention after this backup"
    )


def _server_version(env: Mapping[str, str]) -> str:
    version = query_value(
        "show server_version", env, failure="cannot connect to PostgreSQL", kind="pg_dump"
    )
    return version or "unknown"


def _tool_version(tool: str) -> str:
    try:
        return subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as failure:
        raise AwxRuntimeError(f"{tool} is not usable: {failure}", tool) from None


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    started = datetime.now(UTC)
    clock = time.monotonic()
    name = backup_name(settings.deployment, started)
    result: Manifest | None = None
    events = BackupEvents(settings)
    try:
        # Inside the try: a key that cannot be read or a store that cannot be reached is a
        # failed run, and the failure metric is what pages when backups stop.
        sealer = settings.sealer()
        encryption = sealer.describe()  # reads the key / parses recipients: fail before any work
        store = open_store(settings)
        with BackupLock(store, settings.prefix, settings.deployment, settings.lock_ttl) as lock:
            if lock.took_over:
                # The run that held it died (killed, evicted) without counting its failure.
                push_backup(
                    settings.pushgateway,
                    settings.deployment,
                    settings.namespace,
                    success=False,
                    duration=0,
                )
            result = _create(
                arguments, settings, store, name=name, started=started, encryption=encryption
            )
            events.backup(name, None, result.size)
            if not arguments.no_prune:
                events.pruned(prune_backups(settings, store, dry_run=False))
    except BaseException as error:
        # Killed runs too (SIGTERM at the Job's deadline): what stops backups must show up.
        if result is None:
            events.backup(name, error)
        raise
    finally:
        push_backup(
            settings.pushgateway,
            settings.deployment,
            settings.namespace,
            success=result is not None,
            duration=time.monotonic() - clock,
            backup_name=name,
            size=result.size if result is not None else None,
            events_failed=events.failures,
        )
    return 0


def _create(
    arguments: argparse.Namespace,
    settings: BackupSettings,
    store: BackupStore,
    *,
    name: str,
    started: datetime,
    encryption: dict[str, Any],
) -> Manifest:
    sealer = settings.sealer()
    env = settings.pg_env()
    server_version = _server_version(env)
    dump_version = _tool_version(DUMP_COMMAND[0])
    suffix = SUFFIXES[settings.compression] + sealer.suffix
    base = f"{settings.prefix}/{name}"
    if next(iter(store.list(f"{base}/")), None) is not None:
        raise AwxRuntimeError(f"backup {name} already exists in {store.description}", "exists")
    log.info("backup started", extra={"event": "backup-started", "backup": name})
    objects: list[ObjectRecord] = []
    dump = DumpProcess(list(DUMP_COMMAND), env)
    try:
        with progress(f"backup {name}", None) as advance:
            objects.append(
                seal_object(
                    store,
                    f"{base}/database.dump{suffix}",
                    "database",
                    dump.output_chunks(),
                    compression=settings.compression,
                    sealer=sealer,
                    progress=advance,
                )
            )
    finally:
        dump.kill()
    if arguments.secrets_dir:
        document = secrets_archive.collect(arguments.secrets_dir)
        objects.append(
            seal_object(
                store,
                f"{base}/secrets.json{suffix}",
                "secrets",
                [document],
                compression=settings.compression,
                sealer=sealer,
            )
        )
    for record in objects:
        if store.stat(record.key).size != record.size:
            raise AwxRuntimeError(f"{store.description}/{record.key}: size changed", "integrity")
    finished = datetime.now(UTC)
    result = Manifest(
        {
            "format_version": manifests.FORMAT_VERSION,
            "name": name,
            "deployment": settings.deployment,
            "namespace": settings.namespace,
            "objects": [record.as_json() for record in objects],
            "postgres_server_version": server_version,
            "pg_dump_version": dump_version,
            "compression": settings.compression,
            "encryption": encryption,
            "started": iso(started),
            "finished": iso(finished),
            "duration_seconds": round((finished - started).total_seconds(), 3),
            "runtime_version": PROGRAM_VERSION,
        }
    )
    store.put_bytes(f"{base}/{MANIFEST}", result.to_bytes())
    log.info(
        "backup complete",
        extra={
            "event": "backup-complete",
            "backup": name,
            "bytes": result.size,
            "seconds": result.data["duration_seconds"],
        },
    )
    return result
