"""`prune` over real backups: retention decides (runtime.backup.retention.decide, implemented
by the retention work), prune deletes manifest first, then the objects; partial leftovers
older than a day go; --dry-run only prints. Also: create prunes after a success only."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    unique_deployment,
)
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway


def _age(root: Path, name: str, days: int) -> None:
    """Pretend backup `name` finished `days` ago (manifest time and file times)."""
    manifest_path = next(root.rglob(f"{name}/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    stamp = time.time() - days * 86400
    manifest["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
    manifest_path.write_text(json.dumps(manifest))
    for path in manifest_path.parent.iterdir():
        os.utime(path, (stamp, stamp))


def test_prune_applies_retention_keeps_the_minimum_and_removes_old_leftovers(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    store = store_env("pvc")
    runner.env = backup_environment(
        backup_source,
        store,
        unique_deployment("prune"),
        pushgateway.url,
        BACKUP_COMPRESSION="none",
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_RETENTION_DAYS="10",
        BACKUP_RETENTION_DAILY="0",
        BACKUP_RETENTION_WEEKLY="0",
        BACKUP_RETENTION_MONTHLY="0",
        BACKUP_RETENTION_YEARLY="0",
        BACKUP_RETENTION_MIN_BACKUPS="2",
    )
    for _ in range(4):
        assert runner("create", "--no-prune").status == 0
        time.sleep(1.1)
    root = Path(store["BACKUP_PVC_PATH"])
    names = [manifest["name"] for manifest in runner.manifests()]
    # Distinct ages, oldest last: equal ones (within one second) would tie, and which of
    # them min_backups keeps would depend on the clock.
    for extra_days, name in enumerate(names[1:]):
        _age(root, name, days=30 + extra_days)
    leftover = root / "awx-backups" / "awx-backup-gone-20200101-000000"
    leftover.mkdir()
    (leftover / "database.dump.age").write_bytes(b"partial")
    os.utime(leftover / "database.dump.age", (time.time() - 2 * 86400,) * 2)

    dry = runner("prune", "--dry-run")
    assert dry.status == 0, dry.stderr
    assert f"keep {names[0]}" in dry.stdout
    assert f"delete {names[3]}" in dry.stdout
    assert "delete awx-backup-gone-20200101-000000: partial leftover" in dry.stdout
    assert len(runner.manifests()) == 4

    assert runner("prune").status == 0
    kept = [manifest["name"] for manifest in runner.manifests()]
    assert kept == names[:2]  # newest, plus the oldest-but-needed for min_backups 2
    assert not leftover.exists() or not any(leftover.iterdir())
    assert not any(any((root / "awx-backups" / name).glob("*")) for name in names[2:])


def test_create_prunes_after_success(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        unique_deployment("autoprune"),
        pushgateway.url,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_RETENTION_MAX_BACKUPS="1",
        BACKUP_RETENTION_DAILY="0",
        BACKUP_RETENTION_WEEKLY="0",
        BACKUP_RETENTION_MONTHLY="0",
        BACKUP_RETENTION_MIN_BACKUPS="1",
    )
    assert runner("create").status == 0
    time.sleep(1.1)
    assert runner("create").status == 0
    assert len(runner.manifests()) == 1
