"""Fixtures giving every backup test a fresh, empty store of each kind on a real emulator.

    @pytest.mark.parametrize("store_env", ["pvc", "s3", "azure", "gcs"], indirect=True)
    def test_x(store_env: dict[str, str]) -> None:
        store = open_store(store_env)

or, without indirect parametrisation, `store_env` is a factory: `store_env("s3")`. Emulators
are started once per session, on first use; every call makes a new bucket, container or
directory, so tests never see each other's objects.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import pytest
from azure.storage.blob import BlobServiceClient
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from runtime.backup.store import BackupStore
from tests.services.objectstores import (
    azurite_connection_string,
    running_azurite,
    running_gcs_emulator,
    running_moto,
)

KINDS = ("pvc", "s3", "azure", "gcs")
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
TEST_RETRY = {"BACKUP_MAX_ATTEMPTS": "4", "BACKUP_RETRY_BASE_SECONDS": "0.01"}
"""Short backoff so fault tests run fast; the attempt bound is what they check."""
_counter = itertools.count()


class Emulators:
    """Session-wide emulator processes, started on first use."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._urls: dict[str, str] = {}

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            launcher = {"s3": running_moto, "azure": running_azurite, "gcs": running_gcs_emulator}
            self._urls[kind] = self._stack.enter_context(launcher[kind]())
        return self._urls[kind]

    def close(self) -> None:
        self._stack.close()


def unique_name(base: str) -> str:
    return f"{base}-{next(_counter):04d}"


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        "BACKUP_STORAGE_TYPE": "s3",
        "BACKUP_S3_BUCKET": bucket,
        "BACKUP_S3_REGION": "us-east-1",
        "BACKUP_S3_ENDPOINT_URL": endpoint,
        "BACKUP_S3_SSE": "AES256",
        **S3_KEYS,
    }


def azure_env(blob_url: str, container: str) -> dict[str, str]:
    return {
        "BACKUP_STORAGE_TYPE": "azure",
        "BACKUP_AZURE_CONTAINER": container,
        "AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(blob_url),
    }


def gcs_env(emulator: str, bucket: str) -> dict[str, str]:
    return {
        "BACKUP_STORAGE_TYPE": "gcs",
        "BACKUP_GCS_BUCKET": bucket,
        "BACKUP_GCS_PROJECT": "awx-test",
        "STORAGE_EMULATOR_HOST": emulator,
    }


def create_bucket(kind: str, url: str, name: str) -> None:
    if kind == "s3":
        client: Any = boto3.client(
            "s3", endpoint_url=url, region_name="us-east-1", **_boto_keys(S3_KEYS)
        )
        client.create_bucket(Bucket=name)
    elif kind == "azure":
        service = BlobServiceClient.from_connection_string(azurite_connection_string(url))
        service.create_container(name)
    else:
        client = storage.Client(
            project="awx-test",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": url},
        )
        client.create_bucket(name)


def _boto_keys(keys: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": keys["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": keys["AWS_SECRET_ACCESS_KEY"],
    }


def env_for(kind: str, url: str, name: str) -> dict[str, str]:
    builders: dict[str, Callable[[str, str], dict[str, str]]] = {
        "s3": s3_env,
        "azure": azure_env,
        "gcs": gcs_env,
    }
    return {**builders[kind](url, name), **TEST_RETRY}


@pytest.fixture(scope="session")
def emulators() -> Iterator[Emulators]:
    running = Emulators()
    yield running
    running.close()


@pytest.fixture
def store_env(
    request: pytest.FixtureRequest, emulators: Emulators, tmp_path: Path
) -> dict[str, str] | Callable[[str], dict[str, str]]:
    def make(kind: str) -> dict[str, str]:
        if kind == "pvc":
            root = tmp_path / unique_name("pvc")
            root.mkdir()
            return {"BACKUP_STORAGE_TYPE": "pvc", "BACKUP_PVC_PATH": str(root), **TEST_RETRY}
        if kind not in KINDS:
            raise ValueError(f"store kind {kind!r} is not one of {KINDS}")
        url = emulators.url(kind)
        name = unique_name("awx-backups")
        create_bucket(kind, url, name)
        return env_for(kind, url, name)

    kind = getattr(request, "param", None)
    return make(kind) if kind is not None else make


StoreEnv = Callable[[str], dict[str, str]]
"""The `store_env` fixture as a factory: a kind -> the environment of a fresh, empty store."""
PART = 5 << 20
"""The smallest part size (BACKUP_PART_SIZE_MIB=5), so a few MiB make several parts."""


def payload(size: int) -> bytes:
    """`size` bytes of deterministic, barely compressible data."""
    block = hashlib.sha256(str(size).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def upload(store: BackupStore, key: str, data: bytes) -> None:
    """Stream `data` into `key` in 1 MiB writes, then commit."""
    writer = store.open_writer(key)
    for start in range(0, len(data), 1 << 20):
        writer.write(data[start : start + (1 << 20)])
    writer.commit()


def keys(store: BackupStore, prefix: str = "") -> list[str]:
    return [stored.key for stored in store.list(prefix)]
