"""The built image, run as containers: its versions, a backup create/verify/restore against
the tests' PostgreSQL and moto's S3, and the exporter's /healthz, as the image's own user,
with a read-only root filesystem; nothing runs as root and nothing writes outside volumes."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.image.settings import RUNTIME_USER_ID, project_version
from tests.fakes.awx_status import FakeAwx
from tests.fakes.kubernetes_api import FakeKubernetes
from tests.image.podman import Image, volume
from tests.runtime.backup.awx_data import table_checksums
from tests.runtime.backup.fixtures import AgeKeys, backup_environment, dsn, unique_deployment
from tests.runtime.exporter.process import eventually, exporter_environment
from tests.services.postgres import PostgresServer, free_port
from tests.services.pushgateway import Pushgateway
from tests.services.redis_server import RedisServer

pytestmark = pytest.mark.image


def test_the_image_runs_as_its_non_root_user_with_home_on_the_tmp_volume(image: Image) -> None:
    config = image.config()
    assert config["User"] == f"{RUNTIME_USER_ID}:{RUNTIME_USER_ID}"
    assert "HOME=/tmp" in list(config["Env"])  # type: ignore[call-overload]
    result = image.run(["-c", "id -u; id -g; echo $HOME"], entrypoint="/bin/sh")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(RUNTIME_USER_ID), str(RUNTIME_USER_ID), "/tmp"]


def test_awx_runtime_reports_the_project_version(image: Image) -> None:
    result = image.run(["--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == project_version()


def test_pg_dump_is_the_configured_major(image: Image, postgres_major: int) -> None:
    for program in ("pg_dump", "pg_restore", "psql"):
        result = image.run(["--version"], entrypoint=program)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{program} (PostgreSQL) {postgres_major}."), result.stdout


def _keys_volume(age_keys: AgeKeys, tmp_path: Path) -> Path:
    keys = tmp_path / "keys"
    keys.mkdir()
    shutil.copy(age_keys.identity_file, keys / "identity")
    return volume(keys)


def _secrets_volume(tmp_path: Path) -> Path:
    """AWX's Secret key as Kubernetes mounts it (the runtime tests' layout)."""
    root = tmp_path / "secrets"
    (root / "awx-secret-key" / "..data").mkdir(parents=True)
    (root / "awx-secret-key" / "secret_key").write_text("s3cr3t-django-key")
    return volume(root)


def test_a_backup_is_created_verified_and_restored_by_the_image_on_s3(
    *,
    image: Image,
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    store_env: Callable[[str], dict[str, str]],
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    postgres_major: int,
    tmp_path: Path,
) -> None:
    deployment = unique_deployment("image")
    env = backup_environment(
        backup_source, store_env("s3"), deployment, pushgateway.url,
        BACKUP_ENCRYPTION="age", BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_AGE_IDENTITY_FILE="/keys/identity",
    )  # fmt: skip
    volumes = {
        _keys_volume(age_keys, tmp_path): "/keys:ro",
        _secrets_volume(tmp_path): "/secrets:ro",
    }

    created = image.run(
        ["backup", "create", "--secrets-dir", "/secrets", "--no-prune"], env, volumes
    )
    assert created.returncode == 0, created.stderr
    listed = image.run(["backup", "list", "--json"], env, volumes)
    assert listed.returncode == 0, listed.stderr
    [manifest] = json.loads(listed.stdout)
    # The image's pg_dump made the dump (the tests' server is the same major here).
    assert manifest["pg_dump_version"].startswith(f"pg_dump (PostgreSQL) {postgres_major}.")

    verified = image.run(["backup", "verify", manifest["name"]], env, volumes)
    assert verified.returncode == 0, verified.stderr
    restored = image.run(
        ["backup", "restore", "latest", "--target-dsn", dsn(restore_target)], env, volumes
    )
    assert restored.returncode == 0, restored.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())
    labels = {"name": deployment, "namespace": "awx-test"}
    assert pushgateway.value("awx-backup", "awx_backup_total", status="success", **labels) == 1


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def _checked_health(url: str) -> dict[str, Any] | None:
    """The exporter's /health document once its first checks have run."""
    document: dict[str, Any] = json.loads(_get(url + "/health")[1])
    return document if document["components"] else None


def test_the_exporter_serves_healthz_with_nothing_as_root_and_no_writes_outside_volumes(
    *,
    image: Image,
    backup_source: PostgresServer,
    redis_server: RedisServer,
    awx: FakeAwx,
    kubernetes: FakeKubernetes,
) -> None:
    environment = exporter_environment(
        backup_source.environment(), awx.url, kubernetes.url,
        REDIS_URL=redis_server.url, AWX_TOKEN=awx.token,
    )  # fmt: skip
    # Only the exporter's own variables go in, not this process's environment.
    own = ("PG", "REDIS", "AWX_", "EXPORTER_")
    env = {key: value for key, value in environment.items() if key.startswith(own)}
    port = free_port()
    # A writable root filesystem here, so that `podman diff` shows any write outside /tmp
    # (on a read-only root some, such as bytecode caches, would fail silently).
    name = image.start(["exporter", "--port", str(port)], "exporter", env, read_only=False)
    try:
        url = f"http://127.0.0.1:{port}"
        assert eventually(lambda: _get(url + "/healthz"), attempts_seconds=60) == (200, b"ok\n")
        health = eventually(lambda: _checked_health(url))
        assert health["components"]["database"]["status"] == "Healthy", health
        assert health["components"]["redis"]["status"] == "Healthy", health
        assert image.run(["--version"]).returncode == 0
        users = image.host_users(name)
        assert users and set(users) == {str(RUNTIME_USER_ID)}, users
        assert image.changes(name) == []
    finally:
        logs = image.stop(name)
    assert "Traceback" not in logs, logs
