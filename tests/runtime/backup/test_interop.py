"""A backup made by our code opens with the standard tools alone (the 3 a.m. procedure of
docs/runtime.md): `age -d -i`, `zstd -d` / `gzip -d`, `pg_restore`, and for aes-256
`aws-encryption-cli --decrypt` with this package's `awx-platform` key-provider plugin."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.backup.awx_data import table_checksums
from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    unique_deployment,
)
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway

BIN = Path(__import__("sys").executable).parent


def _one_backup(runner: BackupRunner, store: dict[str, str]) -> tuple[dict[str, Any], Path]:
    created = runner("create", "--no-prune")
    assert created.status == 0, created.stderr
    [manifest] = runner.manifests()
    root = Path(store["BACKUP_PVC_PATH"])
    return manifest, root


def _pg_restore(dump: Path, target: dict[str, Any], source: PostgresServer) -> None:
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", target["dbname"], str(dump)],
        env={**source.environment(), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize(("compression", "decompress"), [("zstd", "zstd -d"), ("gzip", "gzip -d")])
def test_age_backup_opens_with_age_and_decompressors(
    *,
    compression: str,
    decompress: str,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    secrets_dir: Path,
    tmp_path: Path,
) -> None:
    store = store_env("pvc")
    runner.env = backup_environment(
        backup_source,
        store,
        unique_deployment("interop"),
        pushgateway.url,
        BACKUP_COMPRESSION=compression,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
    )
    created = runner("create", "--secrets-dir", str(secrets_dir), "--no-prune")
    assert created.status == 0, created.stderr
    [manifest] = runner.manifests()
    root = Path(store["BACKUP_PVC_PATH"])
    keys = {item["role"]: root / item["key"] for item in manifest["objects"]}
    dump = tmp_path / "awx.dump"
    subprocess.run(
        f"age -d -i {age_keys.identity_file} < {keys['database']} | {decompress} > {dump}",
        shell=True,
        check=True,
    )
    _pg_restore(dump, restore_target, backup_source)
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())
    secrets = subprocess.run(
        f"age -d -i {age_keys.identity_file} < {keys['secrets']} | {decompress}",
        shell=True,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert '"awx-secret-key"' in secrets


def test_aes_backup_opens_with_aws_encryption_cli(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
    aes_key_file: Path,
    tmp_path: Path,
) -> None:
    store = store_env("pvc")
    runner.env = backup_environment(
        backup_source,
        store,
        unique_deployment("interop-aes"),
        pushgateway.url,
        BACKUP_ENCRYPTION="aes-256",
        BACKUP_AES_KEY_FILE=str(aes_key_file),
    )
    manifest, root = _one_backup(runner, store)
    [database] = [root / item["key"] for item in manifest["objects"]]
    compressed = tmp_path / "awx.dump.zst"
    subprocess.run(
        [
            str(BIN / "aws-encryption-cli"),
            "--decrypt",
            "--input",
            str(database),
            "--output",
            str(compressed),
            "--wrapping-keys",
            "provider=awx-platform",
            "key=awx-backup-key",
            f"key_file={aes_key_file}",
            "--commitment-policy",
            "require-encrypt-require-decrypt",
            "--suppress-metadata",
        ],
        check=True,
        capture_output=True,
    )
    dump = tmp_path / "awx.dump"
    subprocess.run(["zstd", "-q", "-d", str(compressed), "-o", str(dump)], check=True)
    _pg_restore(dump, restore_target, backup_source)
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())
