"""Azure Blob Storage: block blobs written with Put Block (stage_block, MD5 checked by the
service per block) and made visible at once by Put Block List (commit_block_list).

Until the block list is committed the blob does not exist for readers or listings; staged
blocks of an aborted upload cannot be deleted through the API and Azure discards them after 7
days. A block list has no service-computed whole-blob checksum, so commit checks the size and
stores the MD5 of the whole stream as Content-MD5, which readers (and `az storage blob
download --validate`) can check.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.identity import DefaultAzureCredential
from azure.storage.blob import BlobBlock, ContainerClient, ContentSettings

from runtime.backup.store import (
    LOG,
    ObjectNotFoundError,
    StoreAccessDeniedError,
    StoredObject,
    StoreError,
    StoreIntegrityError,
    StoreNotFoundError,
)
from runtime.backup.stores.parts import PartPipeline, PartReader
from runtime.retry import RetryPolicy, RetryStats, TransientError, with_retries

Result = TypeVar("Result")
MAX_BLOCKS = 50_000
"""Azure's limit of committed blocks per block blob."""
DENIED = {
    "AuthenticationFailed",
    "AuthorizationFailure",
    "AuthorizationPermissionMismatch",
    "InsufficientAccountPermissions",
    "KeyBasedAuthenticationNotPermitted",
}


class AzureStore:
    def __init__(self, container: ContainerClient, part_size: int, retry: RetryPolicy) -> None:
        self.container = container
        self.description = f"azure://{container.account_name}/{container.container_name}"
        self.part_size = part_size
        self.retry = retry
        self.stats = RetryStats()

    def call(self, what: str, key: str | None, operation: Callable[[], Result]) -> Result:
        where = f"{self.description}/{key}" if key is not None else self.description

        def attempt() -> Result:
            try:
                return operation()
            except ClientAuthenticationError as error:
                raise StoreAccessDeniedError(
                    f"{where}: access denied ({_code(error)}) - check the workload identity / "
                    "AZURE_STORAGE_CONNECTION_STRING and the role on the container"
                ) from error
            except ResourceExistsError:
                raise
            except HttpResponseError as error:
                raise self._classify(error, where, what) from error
            except (ServiceRequestError, ServiceResponseError) as error:
                raise TransientError(f"{type(error).__name__}: {_first_line(error)}") from error

        return with_retries(
            self.retry, f"{where}: {what}", attempt, exhausted=StoreError, stats=self.stats, log=LOG
        )

    def _classify(self, error: HttpResponseError, where: str, what: str) -> Exception:
        code = _code(error)
        status = error.status_code or 0
        if code in ("ServerBusy", "OperationTimedOut", "InternalError") or status in (408, 429):
            return TransientError(f"{code or 'HTTP'} {status}")
        if status >= 500:
            return TransientError(f"{code or 'HTTP'} {status}")
        if code == "ContainerNotFound":
            return StoreNotFoundError(
                f"{self.description}: container does not exist (BACKUP_AZURE_CONTAINER)"
            )
        if code == "BlobNotFound" or status == 404:
            return ObjectNotFoundError(f"{where}: no such object")
        if code in DENIED or status == 403:
            return StoreAccessDeniedError(f"{where}: access denied ({code or status})")
        return StoreError(f"{where}: {what} failed: {code or status} {_first_line(error)}")

    def check_access(self) -> None:
        self.call("check container", None, self.container.get_container_properties)

    def open_writer(self, key: str) -> AzureWriter:
        return AzureWriter(self, key)

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        downloader = self.call(
            "get", key, lambda: self.container.get_blob_client(key).download_blob()
        )
        for chunk in downloader.chunks():
            for start in range(0, len(chunk), chunk_size):
                yield chunk[start : start + chunk_size]

    def stat(self, key: str) -> StoredObject:
        properties = self.call(
            "stat", key, lambda: self.container.get_blob_client(key).get_blob_properties()
        )
        return StoredObject(key, int(properties.size), properties.last_modified)

    def list(self, prefix: str) -> Iterator[StoredObject]:
        blobs = self.call("list", prefix, lambda: list(self.container.list_blobs(prefix or None)))
        for blob in blobs:
            yield StoredObject(blob.name, int(blob.size), blob.last_modified)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        client = self.container.get_blob_client(key)
        self.call(
            "put", key, lambda: client.upload_blob(data, overwrite=True, validate_content=True)
        )
        return self._verify(key, len(data))

    def create_exclusive(self, key: str, data: bytes) -> bool:
        client = self.container.get_blob_client(key)
        try:
            # overwrite=False sends If-None-Match: * - the service refuses an existing blob.
            self.call("create exclusive", key, lambda: client.upload_blob(data, overwrite=False))
        except ResourceExistsError:
            return False
        return True

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.read(key))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            with contextlib.suppress(ObjectNotFoundError):
                self.call("delete", key, lambda key=key: self.container.delete_blob(key))  # type: ignore[misc]

    def _verify(self, key: str, size: int, md5: bytes | None = None) -> StoredObject:
        properties = self.call(
            "verify", key, lambda: self.container.get_blob_client(key).get_blob_properties()
        )
        where = f"{self.description}/{key}"
        if int(properties.size) != size:
            raise StoreIntegrityError(f"{where}: stored {properties.size} bytes, sent {size}")
        stored_md5 = properties.content_settings.content_md5
        if md5 is not None and stored_md5 is not None and bytes(stored_md5) != md5:
            raise StoreIntegrityError(f"{where}: stored Content-MD5 differs from the sent stream")
        return StoredObject(key, size, properties.last_modified)


class AzureWriter:
    def __init__(self, store: AzureStore, key: str) -> None:
        self._store = store
        self._key = key
        self._client = store.container.get_blob_client(key)
        self._blocks: list[str] = []
        self._pipeline = PartPipeline(store.part_size, self._stage, max_parts=MAX_BLOCKS, md5=True)

    def _stage(self, number: int, data: memoryview) -> None:
        # Equal-length ids, as the service requires within one blob.
        block_id = base64.b64encode(f"{number:010d}".encode()).decode()
        self._store.call(
            f"stage block {number}",
            self._key,
            lambda: self._client.stage_block(
                block_id, PartReader(data), length=len(data), validate_content=True
            ),
        )
        self._blocks.append(block_id)

    def write(self, chunk: bytes) -> None:
        self._pipeline.write(chunk)

    def commit(self) -> StoredObject:
        self._pipeline.finish()
        assert self._pipeline.md5 is not None
        md5 = self._pipeline.md5.digest()
        blocks = [BlobBlock(block_id=block_id) for block_id in self._blocks]
        settings = ContentSettings(content_md5=bytearray(md5))
        self._store.call(
            "commit block list",
            self._key,
            lambda: self._client.commit_block_list(blocks, content_settings=settings),
        )
        return self._store._verify(self._key, self._pipeline.size, md5)

    def abort(self) -> None:
        # Staged blocks are invisible and expire in 7 days; there is no call to drop them.
        self._pipeline.cancel()
        self._blocks = []


def _code(error: HttpResponseError) -> str:
    return str(getattr(error, "error_code", None) or "")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def container_client(
    account_url: str | None, container: str, connection_string: str | None, timeout: float
) -> ContainerClient:
    options: dict[str, Any] = {
        "retry_total": 0,  # one retry loop (ours)
        "connection_timeout": timeout,
        "read_timeout": timeout,
    }
    if connection_string:
        return ContainerClient.from_connection_string(connection_string, container, **options)
    assert account_url is not None
    return ContainerClient(account_url, container, credential=DefaultAzureCredential(), **options)
