"""`awx-runtime backup create|list|verify|restore|prune|drill`.

create   pg_dump -Fc -Z0 --clean --create -> zstd|gzip|none -> age|aes-256 -> store, plus AWX's
         Secrets from --secrets-dir the same way; manifest.json LAST; then prune. One run per
         deployment at a time (a lock in the store).
list     complete backups (with a manifest), newest first; --json for scripts.
verify   download, decrypt, decompress, check sizes and sha256, and that `pg_restore --list`
         reads the dump; writes to no database.
restore  stream a backup into --target-dsn in one transaction (pg_restore --single-transaction):
         refuses a non-empty target unless --clean; --restore-secrets recreates AWX's Secrets.
prune    apply retention (age, count, daily/weekly/monthly/yearly, min_backups) and remove
         partial leftovers older than a day; --dry-run prints what would go and why.
drill    restore the newest backup into the scratch PostgreSQL at BACKUP_DRILL_TARGET_DSN and
         check it.

Exit status: 0 success, 1 failure (one-line error naming backup, key, flag or file), 2 bad
setting (naming flag and variable). Store settings: docs/backup-stores.md; all: docs/runtime.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from runtime.backup import manifest as manifests
from runtime.backup import secrets_archive
from runtime.backup.compression import SUFFIXES
from runtime.backup.crypto import Opener
from runtime.backup.lock import BackupLock
from runtime.backup.manifest import MANIFEST, Manifest, backup_name, iso
from runtime.backup.metrics import push_backup, push_restore
from runtime.backup.pipeline import DumpProcess, ObjectRecord, open_object, seal_object
from runtime.backup.progress import progress
from runtime.backup.psql import query_value
from runtime.backup.retention import BackupRecord, decide
from runtime.backup.settings import BackupSettings, add_arguments, settings_from
from runtime.backup.store import BackupStore
from runtime.backup.stores import TUNING_HELP
from runtime.errors import AwxRuntimeError, ConfigurationError
from runtime.logs import log

LEFTOVER_AGE = timedelta(days=1)
DUMP_COMMAND = ("pg_dump", "-Fc", "-Z0", "--clean", "--create")
PROGRAM_VERSION = "0.1.0"


def register(groups: Any) -> None:
    backup = groups.add_parser("backup", help="Encrypted, verified backups of AWX.")
    commands = backup.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, handler: Callable[[argparse.Namespace], int]) -> Any:
        parser = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}\n\n{__doc__}",
            epilog=TUNING_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments(parser)
        parser.set_defaults(handler=handler)
        return parser

    create = command("create", "Back up AWX's database and Secrets.", create_command)
    create.add_argument(
        "--secrets-dir",
        default=os.environ.get("BACKUP_SECRETS_DIR"),
        help="directory with one sub-directory per AWX Secret (env BACKUP_SECRETS_DIR)",
    )
    create.add_argument(
        "--no-prune", action="store_true", help="do not apply retention after this backup"
    )
    listing = command("list", "List complete backups, newest first.", list_command)
    listing.add_argument("--json", action="store_true", help="one JSON array of manifests")
    verify = command("verify", "Check a backup end to end without a database.", verify_command)
    verify.add_argument("name", metavar="NAME|latest")
    restore = command("restore", "Restore a backup into a database.", restore_command)
    restore.add_argument("name", metavar="NAME|latest")
    restore.add_argument(
        "--target-dsn",
        default=os.environ.get("BACKUP_TARGET_DSN"),
        help="libpq connection string of the target database; password from PGPASSWORD "
        "(env BACKUP_TARGET_DSN; required)",
    )
    restore.add_argument(
        "--clean", action="store_true", help="drop the target's objects first (else: refuse)"
    )
    restore.add_argument(
        "--restore-secrets",
        action="store_true",
        help="recreate AWX's Secrets in AWX_NAMESPACE (Kubernetes API)",
    )
    prune = command("prune", "Apply retention and remove partial leftovers.", prune_command)
    prune.add_argument("--dry-run", action="store_true", help="only print what would go, why")
    command("drill", "Restore the newest backup into a scratch database.", drill_command)


def open_store(settings: BackupSettings) -> BackupStore:
    # Imported here so a command that fails on its settings never loads a cloud SDK.
    from runtime.backup.stores import open_store as open_configured_store  # noqa: PLC0415

    store = open_configured_store(settings.store_env())
    store.check_access()
    return store


# --- create ------------------------------------------------------------------------------


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


def create_command(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    started = datetime.now(UTC)
    clock = time.monotonic()
    name = backup_name(settings.deployment, started)
    result: Manifest | None = None
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
            if not arguments.no_prune:
                _prune(settings, store, dry_run=False)
    finally:
        push_backup(
            settings.pushgateway,
            settings.deployment,
            settings.namespace,
            success=result is not None,
            duration=time.monotonic() - clock,
            backup_name=name,
            size=result.size if result is not None else None,
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


# --- list / resolve ------------------------------------------------------------------------


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


def list_command(arguments: argparse.Namespace) -> int:
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


# --- verify ------------------------------------------------------------------------------


class _PipeSink:
    """Feeds a child's stdin; a reader that stops early (pg_restore --list) is not an error."""

    def __init__(self, process: DumpProcess, tolerate_early_exit: bool) -> None:
        self._process = process
        self._tolerate = tolerate_early_exit
        self._closed = False

    def __call__(self, piece: bytes) -> None:
        if self._closed:
            return
        stdin = self._process.process.stdin
        assert stdin is not None
        try:
            stdin.write(piece)
        except BrokenPipeError:
            self._closed = True
            if not self._tolerate:
                self._process.check()
                raise AwxRuntimeError(
                    f"{self._process.name} stopped reading", self._process.name
                ) from None

    def finish(self) -> None:
        stdin = self._process.process.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
        self._process.check()


def _secrets(
    store: BackupStore, backup: Manifest, settings: BackupSettings
) -> dict[str, dict[str, str]] | None:
    record = backup.object("secrets")
    if record is None:
        return None
    pieces: list[bytes] = []
    open_object(
        store,
        record,
        compression=backup.compression,
        opener=settings.opener(),
        sink=pieces.append,
    )
    return secrets_archive.parse(b"".join(pieces), record.key)


def _database_object(backup: Manifest, opener: Opener) -> ObjectRecord:
    """The backup's dump, once its key is known to open it (checked before any download)."""
    opener.check(backup.encryption, backup.name)
    record = backup.object("database")
    if record is None:
        raise AwxRuntimeError(f"backup {backup.name}: manifest lists no database", "corrupt")
    return record


def _feed(
    store: BackupStore,
    backup: Manifest,
    record: ObjectRecord,
    *,
    opener: Opener,
    sink: _PipeSink,
    action: str,
) -> None:
    """Stream the dump into a pg_restore's stdin, then wait for its exit status."""
    with progress(f"{action} {backup.name}", record.size) as advance:
        open_object(
            store,
            record,
            compression=backup.compression,
            opener=opener,
            sink=sink,
            progress=advance,
        )
    sink.finish()


def _verify(store: BackupStore, backup: Manifest, settings: BackupSettings) -> None:
    opener = settings.opener()
    record = _database_object(backup, opener)
    lister = DumpProcess(["pg_restore", "--list"], settings.pg_env(), stdin=True)
    try:
        sink = _PipeSink(lister, tolerate_early_exit=True)
        _feed(store, backup, record, opener=opener, sink=sink, action="verify")
    finally:
        lister.kill()
    _secrets(store, backup, settings)


def verify_command(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    settings.opener()
    store = open_store(settings)
    backup = resolve(store, settings, arguments.name)
    _verify(store, backup, settings)
    log.info("backup verified", extra={"event": "verified", "backup": backup.name})
    return 0


# --- restore -----------------------------------------------------------------------------


def _user_tables(dsn: str, env: Mapping[str, str]) -> int:
    query = (
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p', 'v', 'm', 'S') and n.nspname <> 'information_schema' "
        "and n.nspname not like 'pg\\_%'"
    )
    failure = "cannot connect to the target database"
    return int(query_value(query, env, failure=failure, kind="restore", dsn=dsn) or 0)


def _restore(
    store: BackupStore, backup: Manifest, settings: BackupSettings, dsn: str, clean: bool
) -> None:
    opener = settings.opener()
    record = _database_object(backup, opener)
    if not clean and (tables := _user_tables(dsn, settings.pg_env())):
        raise AwxRuntimeError(
            f"target database is not empty ({tables} relations): restore --clean replaces them",
            "restore",
        )
    command = ["pg_restore", "--dbname", dsn, "--no-owner", "--exit-on-error"]
    command += ["--single-transaction", *(["--clean", "--if-exists"] if clean else [])]
    restorer = DumpProcess(command, settings.pg_env(), stdin=True)
    log.info("restore started", extra={"event": "restore-started", "backup": backup.name})
    try:
        sink = _PipeSink(restorer, tolerate_early_exit=False)
        _feed(store, backup, record, opener=opener, sink=sink, action="restore")
    except AwxRuntimeError:
        # pg_restore's own error explains a broken pipe better than the pipe does.
        if restorer.process.poll() not in (None, 0):
            restorer.check()
        raise
    finally:
        # Killing it before it saw the end rolls back the single transaction.
        restorer.kill()


def restore_command(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    if not arguments.target_dsn:
        raise ConfigurationError("--target-dsn / BACKUP_TARGET_DSN: required, not set")
    settings.opener()
    success = False
    try:
        store = open_store(settings)
        backup = resolve(store, settings, arguments.name)
        secrets, api = None, None
        if arguments.restore_secrets:
            # Read (and decrypt) them and reach the API first: a restore that cannot bring the
            # Secrets back fails before it touches the database.
            secrets = _secrets(store, backup, settings)
            if secrets is None:
                raise AwxRuntimeError(f"backup {backup.name} carries no Secrets", "restore")
            api = secrets_archive.kubernetes_api()
        _restore(store, backup, settings, arguments.target_dsn, arguments.clean)
        if secrets is not None:
            names = secrets_archive.restore_to_kubernetes(api, secrets, settings.namespace)
            log.info("secrets restored", extra={"event": "secrets-restored", "secrets": names})
        success = True
    finally:
        push_restore(settings.pushgateway, settings.deployment, settings.namespace, success, False)
    log.info("restore complete", extra={"event": "restore-complete", "backup": backup.name})
    return 0


# --- drill -------------------------------------------------------------------------------


def _check_restored(dsn: str, env: Mapping[str, str]) -> int:
    tables = _user_tables(dsn, env)
    if tables == 0:
        raise AwxRuntimeError("drill: the restored database holds no tables", "drill")
    return tables


def drill_command(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    dsn = os.environ.get("BACKUP_DRILL_TARGET_DSN", "")
    if not dsn:
        raise ConfigurationError("BACKUP_DRILL_TARGET_DSN: required, not set")
    settings.opener()
    success = False
    try:
        store = open_store(settings)
        backup = resolve(store, settings, "latest")
        _verify(store, backup, settings)
        _restore(store, backup, settings, dsn, clean=True)
        tables = _check_restored(dsn, settings.pg_env())
        success = True
    finally:
        push_restore(settings.pushgateway, settings.deployment, settings.namespace, success, True)
    log.info(
        "restore drill passed",
        extra={"event": "drill-passed", "backup": backup.name, "relations": tables},
    )
    return 0


# --- prune -------------------------------------------------------------------------------


def _prune(settings: BackupSettings, store: BackupStore, dry_run: bool) -> None:
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
    for name, newest in _leftovers(store, settings.prefix, complete).items():
        if now - newest < LEFTOVER_AGE:
            continue
        if dry_run:
            print(f"delete {name}: partial leftover (no manifest), last written {iso(newest)}")
        else:
            log.info("removing partial leftover", extra={"event": "prune", "backup": name})
            _delete_backup(store, f"{settings.prefix}/{name}/")


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


def prune_command(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    store = open_store(settings)
    if arguments.dry_run:
        _prune(settings, store, dry_run=True)
        return 0
    with BackupLock(store, settings.prefix, settings.deployment, settings.lock_ttl):
        _prune(settings, store, dry_run=False)
    return 0
