"""aes-256 under an AWS KMS key (BACKUP_KMS_KEY_ARN), against moto in server mode: the AWS
Encryption SDK's KMS client reaches moto through botocore's AWS_ENDPOINT_URL_KMS, with moto's
dummy credentials; the backups go to an S3 bucket on the same moto."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.runtime.backup.awx_data import table_checksums
from tests.runtime.backup.fixtures import (
    BackupRunner,
    backup_environment,
    dsn,
    unique_deployment,
    user_tables,
)
from tests.runtime.backup.stores import S3_KEYS, Emulators
from tests.services.objectstores import running_moto
from tests.services.postgres import PostgresServer, free_port
from tests.services.pushgateway import Pushgateway

REGION = "us-east-1"


@pytest.fixture
def kms(emulators: Emulators) -> Any:
    """A KMS client on moto (the session's S3 emulator serves KMS too)."""
    return boto3.client(
        "kms",
        endpoint_url=emulators.url("s3"),
        region_name=REGION,
        aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def new_key(kms: Any) -> str:
    arn: str = kms.create_key(Description="awx backups")["KeyMetadata"]["Arn"]
    return arn


@pytest.fixture
def kms_runner(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    emulators: Emulators,
    kms: Any,
) -> BackupRunner:
    """A runner for aes-256 under a fresh KMS key (its ARN in BACKUP_KMS_KEY_ARN), S3 store."""
    runner.env = backup_environment(
        backup_source,
        store_env("s3"),
        unique_deployment("kms"),
        pushgateway.url,
        BACKUP_ENCRYPTION="aes-256",
        BACKUP_KMS_KEY_ARN=new_key(kms),
        AWS_ENDPOINT_URL_KMS=emulators.url("s3"),
        AWS_DEFAULT_REGION=REGION,
    )
    return runner


def test_kms_round_trip_create_verify_restore(
    *,
    kms_runner: BackupRunner,
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    secrets_dir: Path,
) -> None:
    arn = kms_runner.env["BACKUP_KMS_KEY_ARN"]
    created = kms_runner("create", "--secrets-dir", str(secrets_dir), "--no-prune")
    assert created.status == 0, created.stderr

    [manifest] = kms_runner.manifests()
    assert manifest["encryption"] == {"mode": "aes-256", "kms_key_arn": arn}
    assert all(item["key"].endswith(".zst.aes256") for item in manifest["objects"])

    verified = kms_runner("verify", manifest["name"])
    assert verified.status == 0, verified.stderr
    restored = kms_runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert restored.status == 0, restored.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())


def test_kms_backup_opens_with_aws_encryption_cli(
    *,
    kms_runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    tmp_path: Path,
) -> None:
    """docs/runtime.md's manual restore: `--wrapping-keys provider=aws-kms key=<kms_key_arn>`."""
    store = store_env("pvc")
    kms_runner.env |= store
    assert kms_runner("create", "--no-prune").status == 0
    [manifest] = kms_runner.manifests()
    [database] = [Path(store["BACKUP_PVC_PATH"], item["key"]) for item in manifest["objects"]]
    compressed = tmp_path / "awx.dump.zst"
    aws = {key: value for key, value in kms_runner.env.items() if key.startswith("AWS_")}
    subprocess.run(
        [
            str(Path(sys.executable).parent / "aws-encryption-cli"),
            "--decrypt",
            "--input",
            str(database),
            "--output",
            str(compressed),
            "--wrapping-keys",
            "provider=aws-kms",
            f"key={manifest['encryption']['kms_key_arn']}",
            "--commitment-policy",
            "require-encrypt-require-decrypt",
            "--suppress-metadata",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, **aws},
    )
    dump = tmp_path / "awx.dump"
    subprocess.run(["zstd", "-q", "-d", str(compressed), "-o", str(dump)], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", restore_target["dbname"], str(dump)],
        env={**backup_source.environment(), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())


def test_another_kms_key_fails_verify_and_restore_writes_nothing(
    *,
    kms_runner: BackupRunner,
    kms: Any,
    restore_target: dict[str, Any],
    aes_key_file: Path,
) -> None:
    arn = kms_runner.env["BACKUP_KMS_KEY_ARN"]
    assert kms_runner("create", "--no-prune").status == 0
    [manifest] = kms_runner.manifests()
    other = new_key(kms)

    verified = kms_runner("verify", manifest["name"], BACKUP_KMS_KEY_ARN=other)
    assert verified.status == 1
    assert verified.error() == (
        f"wrong key: backup {manifest['name']} is encrypted under {arn}, not {other} "
        "(--kms-key-arn / BACKUP_KMS_KEY_ARN)"
    )
    restored = kms_runner(
        "restore", "latest", "--target-dsn", dsn(restore_target), BACKUP_KMS_KEY_ARN=other
    )
    assert restored.status == 1
    assert restored.error().startswith("wrong key: ")
    assert user_tables(restore_target) == 0

    # A raw key file cannot open a KMS backup either; the message names both.
    raw = kms_runner(
        "verify", manifest["name"], BACKUP_KMS_KEY_ARN="", BACKUP_AES_KEY_FILE=str(aes_key_file)
    )
    assert raw.status == 1
    assert f"encrypted under {arn}, not the key file {aes_key_file}" in raw.error()


def test_kms_unreachable_fails_verify_and_restore_clearly(
    *, kms_runner: BackupRunner, restore_target: dict[str, Any]
) -> None:
    arn = kms_runner.env["BACKUP_KMS_KEY_ARN"]
    assert kms_runner("create", "--no-prune").status == 0
    [manifest] = kms_runner.manifests()
    kms_runner.env["AWS_ENDPOINT_URL_KMS"] = f"http://127.0.0.1:{free_port()}"

    verified = kms_runner("verify", manifest["name"])
    assert verified.status == 1
    error = verified.error()
    assert error.startswith(f"aes-256: KMS key {arn} cannot open ")
    assert "Could not connect to the endpoint URL" in error
    assert "\n" not in error
    assert "Traceback" not in verified.stderr
    restored = kms_runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert restored.status == 1
    assert user_tables(restore_target) == 0


def test_kms_unreachable_fails_create_without_a_manifest(*, kms_runner: BackupRunner) -> None:
    arn = kms_runner.env["BACKUP_KMS_KEY_ARN"]
    kms_runner.env["AWS_ENDPOINT_URL_KMS"] = f"http://127.0.0.1:{free_port()}"

    created = kms_runner("create", "--no-prune")
    assert created.status == 1
    error = created.error()
    assert error.startswith(f"aes-256: KMS key {arn} cannot make a data key")
    assert "Could not connect to the endpoint URL" in error
    assert kms_runner.manifests() == []


def test_a_role_without_kms_decrypt_is_named_and_restores_nothing(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    restore_target: dict[str, Any],
) -> None:
    """moto with IAM authentication on: the backup's user may GenerateDataKey, not Decrypt."""
    with running_moto(auth=True) as endpoint:
        bootstrap = {"aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"}
        iam: Any = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, **bootstrap)
        iam.create_user(UserName="backup")
        iam.put_user_policy(
            UserName="backup",
            PolicyName="backup",
            PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Action": "kms:GenerateDataKey", "Resource": "*"}]}',
        )
        key = iam.create_access_key(UserName="backup")["AccessKey"]
        kms: Any = boto3.client("kms", endpoint_url=endpoint, region_name=REGION, **bootstrap)
        arn = new_key(kms)
        runner.env = backup_environment(
            backup_source,
            store_env("pvc"),
            unique_deployment("kms-access"),
            pushgateway.url,
            BACKUP_ENCRYPTION="aes-256",
            BACKUP_KMS_KEY_ARN=arn,
            AWS_ENDPOINT_URL_KMS=endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID=key["AccessKeyId"],
            AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
        )
        created = runner("create", "--no-prune")
        assert created.status == 0, created.stderr
        [manifest] = runner.manifests()

        verified = runner("verify", manifest["name"])
        assert verified.status == 1
        error = verified.error()
        assert error.startswith(f"wrong key or no access: KMS key {arn} cannot open ")
        # The SDK drops KMS's reason (AccessDeniedException) when no data key opens.
        assert error.endswith(": Unable to decrypt any data key")
        assert "\n" not in error
        restored = runner("restore", "latest", "--target-dsn", dsn(restore_target))
        assert restored.status == 1
        assert user_tables(restore_target) == 0
