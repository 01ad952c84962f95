"""The BackupStore contract on all four stores (real emulators), their configuration and
access errors (fault handling through a proxy: test_store_retries.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import urlopen

import boto3
import pytest

from runtime.backup.store import (
    BackupStore,
    ObjectNotFoundError,
    StoreAccessDeniedError,
    StoreNotFoundError,
)
from runtime.backup.stores import azure as azure_store
from runtime.backup.stores import open_store
from runtime.backup.stores import s3 as s3_store
from runtime.backup.stores.gcs import GcsStore
from runtime.errors import ConfigurationError
from tests.runtime.backup.stores import (
    KINDS,
    PART,
    Emulators,
    StoreEnv,
    create_bucket,
    env_for,
    keys,
    payload,
    unique_name,
    upload,
)
from tests.services.faulty_proxy import (
    Fault,
    FaultyProxy,
)
from tests.services.objectstores import azurite_connection_string, running_moto


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, store_env: StoreEnv) -> BackupStore:
    return open_store({**store_env(request.param), "BACKUP_PART_SIZE_MIB": "5"})


def test_streamed_object_is_invisible_until_commit_then_whole(store: BackupStore) -> None:
    data = payload(2 * PART + 12345)
    key = "awx-backups/awx-backup-awx-20261128-100000/database.dump.zst.age"
    writer = store.open_writer(key)
    for start in range(0, len(data), 1 << 20):
        writer.write(data[start : start + (1 << 20)])
        assert keys(store) == []
    with pytest.raises(ObjectNotFoundError):
        store.stat(key)
    stored = writer.commit()
    assert stored.key == key
    assert stored.size == len(data)
    assert stored.modified.tzinfo is not None
    assert store.stat(key).size == len(data)
    assert b"".join(store.read(key, chunk_size=1 << 16)) == data
    assert keys(store, "awx-backups/") == [key]


def test_small_and_empty_objects(store: BackupStore) -> None:
    writer = store.open_writer("p/empty")
    assert writer.commit().size == 0
    assert store.get_bytes("p/empty") == b""
    store.put_bytes("p/manifest.json", b'{"format_version": 1}')
    store.put_bytes("p/manifest.json", b'{"format_version": 1, "x": 2}')
    assert store.get_bytes("p/manifest.json") == b'{"format_version": 1, "x": 2}'
    exact = payload(PART)
    writer = store.open_writer("p/exact")
    writer.write(exact)
    assert writer.commit().size == PART
    assert store.get_bytes("p/exact") == exact
    assert keys(store, "p/") == ["p/empty", "p/exact", "p/manifest.json"]


def test_abort_leaves_nothing(store: BackupStore) -> None:
    writer = store.open_writer("p/b/database.dump.zst.age")
    writer.write(payload(PART + 7))
    writer.abort()
    assert keys(store) == []
    with pytest.raises(ObjectNotFoundError):
        store.get_bytes("p/b/database.dump.zst.age")


def test_list_prefix_stat_delete(store: BackupStore) -> None:
    for key in ("a/one/manifest.json", "a/two/manifest.json", "b/manifest.json"):
        store.put_bytes(key, key.encode())
    assert keys(store, "a/") == ["a/one/manifest.json", "a/two/manifest.json"]
    assert store.stat("b/manifest.json").size == len(b"b/manifest.json")
    store.delete(["a/one/manifest.json", "a/missing"])
    assert keys(store) == ["a/two/manifest.json", "b/manifest.json"]
    with pytest.raises(ObjectNotFoundError):
        store.stat("a/one/manifest.json")


def test_create_exclusive_is_a_lock(store: BackupStore, request: pytest.FixtureRequest) -> None:
    if isinstance(store, GcsStore):
        # gcp-storage-emulator ignores ifGenerationMatch; see test_gcs_create_exclusive_*.
        store = request.getfixturevalue("gcs_with_preconditions")
    check_lock(store)


def check_lock(store: BackupStore) -> None:
    key = "awx-backups/locks/awx.lock"
    assert store.create_exclusive(key, b'{"owner": "first"}')
    assert not store.create_exclusive(key, b'{"owner": "second"}')
    assert store.get_bytes(key) == b'{"owner": "first"}'
    store.delete([key])
    assert store.create_exclusive(key, b'{"owner": "third"}')


def test_check_access_passes_on_an_existing_store(store: BackupStore) -> None:
    store.check_access()


def _gcs_object_exists(emulator: str, path: str, body: bytes) -> bool:
    """Whether the object a GCS multipart upload names (in its JSON metadata part) exists."""
    found = re.search(rb'"name": ?"([^"]+)"', body)
    bucket = re.search(r"/b/([^/]+)/o", path)
    if found is None or bucket is None:
        return False
    name = quote(found.group(1).decode(), safe="")
    url = f"{emulator}/storage/v1/b/{bucket.group(1)}/o/{name}"
    try:
        with urlopen(url, timeout=30):
            return True
    except HTTPError:
        return False


PRECONDITION_FAILED = (
    b'{"error": {"code": 412, "message": "At least one of the pre-conditions you specified '
    b'did not hold.", "errors": [{"reason": "conditionNotMet"}]}}'
)


@pytest.fixture
def gcs_with_preconditions(emulators: Emulators) -> Iterator[BackupStore]:
    """GCS through a proxy that answers `ifGenerationMatch=0` uploads of an existing object
    with 412, as GCS does and gcp-storage-emulator does not (emulator gap, docs)."""
    url = emulators.url("gcs")
    name = unique_name("locks")
    create_bucket("gcs", url, name)
    with FaultyProxy(url) as proxy:
        proxy.add(
            Fault(
                method="POST",
                path_contains="ifGenerationMatch=0",
                status=412,
                body=PRECONDITION_FAILED,
                headers=(("Content-Type", "application/json"),),
                times=1000,
                when=lambda _method, path, body: _gcs_object_exists(url, path, body),
            )
        )
        yield open_store(env_for("gcs", proxy.url, name))
        uploads = [path for path in proxy.paths if "uploadType=" in path]
        assert uploads
        assert all("ifGenerationMatch=0" in path for path in uploads)


@pytest.mark.parametrize("kind", KINDS)
def test_missing_bucket_is_store_not_found(kind: str, store_env: StoreEnv) -> None:
    env = store_env(kind)
    missing = {
        "pvc": {"BACKUP_PVC_PATH": env.get("BACKUP_PVC_PATH", "") + "/absent"},
        "s3": {"BACKUP_S3_BUCKET": "absent-bucket"},
        "azure": {"BACKUP_AZURE_CONTAINER": "absent-container"},
        "gcs": {"BACKUP_GCS_BUCKET": "absent-bucket"},
    }[kind]
    store = open_store({**env, **missing})
    with pytest.raises(StoreNotFoundError) as raised:
        store.check_access()
    message = str(raised.value)
    assert "\n" not in message
    assert "does not exist" in message


def test_s3_bad_credentials_are_access_denied() -> None:
    """moto with IAM authentication on: a real key works, a wrong secret is refused."""
    with running_moto(auth=True) as endpoint:
        iam: Any = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="backup")
        iam.put_user_policy(
            UserName="backup",
            PolicyName="backup",
            PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Action": "s3:*", "Resource": "*"}]}',
        )
        key = iam.create_access_key(UserName="backup")["AccessKey"]
        create_bucket("s3", endpoint, "auth-bucket")
        env = {
            **env_for("s3", endpoint, "auth-bucket"),
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }
        good = open_store(env)
        good.check_access()
        good.put_bytes("k", b"v")
        bad = open_store({**env, "AWS_SECRET_ACCESS_KEY": "wrong-secret"})
        with pytest.raises(StoreAccessDeniedError) as raised:
            bad.check_access()
        assert "\n" not in str(raised.value)
        assert "wrong-secret" not in str(raised.value)


def test_azure_bad_account_key_is_access_denied(store_env: StoreEnv, emulators: Emulators) -> None:
    env = store_env("azure")
    wrong = azurite_connection_string(emulators.url("azure"), key="d3Jvbmcta2V5" * 8)
    store = open_store({**env, "AZURE_STORAGE_CONNECTION_STRING": wrong})
    with pytest.raises(StoreAccessDeniedError) as raised:
        store.check_access()
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("BACKUP_STORAGE_TYPE", "ftp", "BACKUP_STORAGE_TYPE"),
        ("BACKUP_S3_BUCKET", "", "BACKUP_S3_BUCKET"),
        ("BACKUP_S3_SSE", "rot13", "BACKUP_S3_SSE"),
        ("BACKUP_PART_SIZE_MIB", "4", "BACKUP_PART_SIZE_MIB"),
        ("BACKUP_MAX_ATTEMPTS", "many", "BACKUP_MAX_ATTEMPTS"),
    ],
)
def test_bad_configuration_names_the_variable(variable: str, value: str, named: str) -> None:
    env = {"BACKUP_STORAGE_TYPE": "s3", "BACKUP_S3_BUCKET": "b", variable: value}
    with pytest.raises(ConfigurationError, match=named):
        open_store(env)


def test_gcs_forbidden_is_access_denied(emulators: Emulators) -> None:
    """gcp-storage-emulator has no authentication (emulator gap): the proxy answers with the
    403 GCS sends to a principal without access."""
    url = emulators.url("gcs")
    name = unique_name("denied")
    create_bucket("gcs", url, name)
    forbidden = (
        b'{"error": {"code": 403, "message": "backup@p.iam.gserviceaccount.com does not have '
        b'storage.buckets.get access", "errors": [{"reason": "forbidden"}]}}'
    )
    with FaultyProxy(url) as proxy:
        proxy.add(
            Fault(
                status=403,
                body=forbidden,
                headers=(("Content-Type", "application/json"),),
                times=100,
            )
        )
        store = open_store(env_for("gcs", proxy.url, name))
        with pytest.raises(StoreAccessDeniedError) as raised:
            store.check_access()
        assert "\n" not in str(raised.value)
        assert proxy.injected == 1


def test_s3_sse_kms_multipart(store_env: StoreEnv) -> None:
    env = store_env("s3")
    kms: Any = boto3.client(
        "kms",
        endpoint_url=env["BACKUP_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    key_arn = kms.create_key(Description="backup bucket key")["KeyMetadata"]["Arn"]
    store = open_store(
        {
            **env,
            "BACKUP_S3_SSE": "aws:kms",
            "BACKUP_S3_KMS_KEY_ARN": key_arn,
            "BACKUP_PART_SIZE_MIB": "5",
        }
    )
    data = payload(PART + 1)
    upload(store, "p/b/database.dump", data)
    head = store.client.head_object(  # type: ignore[attr-defined]
        Bucket=env["BACKUP_S3_BUCKET"], Key="p/b/database.dump"
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_arn
    assert store.get_bytes("p/b/database.dump") == data


@pytest.mark.parametrize("store_env", ["pvc", "s3"], indirect=True)
def test_store_env_parametrised_indirectly_gives_the_environment(
    store_env: dict[str, str],
) -> None:
    store = open_store(store_env)
    store.check_access()
    assert keys(store) == []


@pytest.mark.parametrize("kind", ["s3", "azure"])
def test_parts_double_before_the_store_part_limit(
    kind: str, store_env: StoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit of 10 parts doubles the size after every part (the real 10,000 / 50,000 would
    # need gigabytes): the emulators must accept parts of growing sizes and the checks hold.
    module, limit = (s3_store, "MAX_PARTS") if kind == "s3" else (azure_store, "MAX_BLOCKS")
    monkeypatch.setattr(module, limit, 10)
    store = open_store({**store_env(kind), "BACKUP_PART_SIZE_MIB": "5"})
    data = payload(PART + 2 * PART + PART // 2)
    key = "p/grown/database.dump"
    upload(store, key, data)
    assert store.get_bytes(key) == data
    if isinstance(store, s3_store.S3Store):
        head = store.client.head_object(Bucket=store.bucket, Key=key, PartNumber=1)
        assert head["PartsCount"] == 3
        sizes = [
            store.client.head_object(Bucket=store.bucket, Key=key, PartNumber=n)["ContentLength"]
            for n in (1, 2, 3)
        ]
    else:
        assert isinstance(store, azure_store.AzureStore)
        committed, _ = store.container.get_blob_client(key).get_block_list("committed")
        sizes = [block.size for block in committed]
    assert sizes == [PART, 2 * PART, PART // 2]
