"""Google Cloud Storage: a resumable upload session fed part by part.

The object appears only when the last chunk (the one carrying the total size) is accepted; an
aborted session is cancelled with DELETE, an abandoned one expires after a week (and the
bucket's lifecycle rule aborts stale uploads). GCS computes CRC32C and MD5 of the whole object
itself; commit compares its size and CRC32C with what was sent.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import google_crc32c
import requests
from google.api_core import exceptions as api
from google.auth import exceptions as auth
from google.cloud import storage  # type: ignore[import-untyped]
from google.resumable_media import common as media

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
CHUNK_GRANULE = 256 * 1024
"""Non-final chunks of a resumable upload must be multiples of 256 KiB."""
TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}


def _crc32c_b64(checksum: google_crc32c.Checksum) -> str:
    return base64.b64encode(checksum.digest()).decode()  # type: ignore[no-untyped-call]


class GcsStore:
    def __init__(
        self,
        client: storage.Client,
        bucket: str,
        part_size: int,
        retry: RetryPolicy,
        timeout: float = 60.0,
    ) -> None:
        self.client = client
        self.bucket = client.bucket(bucket)
        self.description = f"gs://{bucket}"
        # Round down to the 256 KiB granule the resumable protocol requires.
        self.part_size = max(CHUNK_GRANULE, part_size // CHUNK_GRANULE * CHUNK_GRANULE)
        self.retry = retry
        self.stats = RetryStats()
        self.timeout = timeout

    def call(
        self,
        what: str,
        key: str | None,
        operation: Callable[[], Result],
        bucket_level: bool = False,
    ) -> Result:
        where = f"{self.description}/{key}" if key is not None else self.description

        def attempt() -> Result:
            try:
                return operation()
            except (api.TooManyRequests, api.ServerError, api.RequestRangeNotSatisfiable) as error:
                raise TransientError(f"HTTP {error.code} {error.message}") from error
            except api.NotFound as error:
                if bucket_level or ("bucket" in str(error.message).lower() and key is None):
                    raise StoreNotFoundError(
                        f"{self.description}: bucket does not exist (BACKUP_GCS_BUCKET)"
                    ) from error
                raise ObjectNotFoundError(f"{where}: no such object") from error
            except (
                api.Forbidden,
                api.Unauthorized,
                auth.DefaultCredentialsError,
                auth.RefreshError,
            ) as error:
                raise StoreAccessDeniedError(
                    f"{where}: access denied ({_first_line(error)}) - check workload identity / "
                    "GOOGLE_APPLICATION_CREDENTIALS and the role on the bucket"
                ) from error
            except media.InvalidResponse as error:
                status = error.response.status_code
                if status in TRANSIENT_STATUS:
                    raise TransientError(f"HTTP {status}") from error
                raise _http_error(self.description, where, what, status) from error
            except (requests.ConnectionError, requests.Timeout) as error:
                raise TransientError(f"{type(error).__name__}: {_first_line(error)}") from error
            except api.GoogleAPICallError as error:
                raise StoreError(f"{where}: {what} failed: {_first_line(error)}") from error

        return with_retries(
            self.retry, f"{where}: {what}", attempt, exhausted=StoreError, stats=self.stats, log=LOG
        )

    def check_access(self) -> None:
        self.call(
            "check bucket",
            None,
            lambda: self.client.get_bucket(self.bucket.name, retry=None, timeout=self.timeout),
            bucket_level=True,
        )

    def open_writer(self, key: str) -> GcsWriter:
        return GcsWriter(self, key)

    def _blob(self, key: str) -> storage.Blob:
        return self.bucket.blob(key)

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        blob = self._blob(key)
        self.call("stat", key, lambda: blob.reload(retry=None, timeout=self.timeout))
        size = int(blob.size or 0)
        generation = blob.generation
        step = max(chunk_size, 8 << 20)
        for start in range(0, size, step):
            end = min(size, start + step) - 1
            data: bytes = self.call(
                "get",
                key,
                lambda start=start, end=end: blob.download_as_bytes(  # type: ignore[misc]
                    start=start,
                    end=end,
                    if_generation_match=generation,
                    checksum=None,
                    retry=None,
                    timeout=self.timeout,
                ),
            )
            for offset in range(0, len(data), chunk_size):
                yield data[offset : offset + chunk_size]

    def stat(self, key: str) -> StoredObject:
        blob = self._blob(key)
        self.call("stat", key, lambda: blob.reload(retry=None, timeout=self.timeout))
        return StoredObject(key, int(blob.size or 0), _updated(blob))

    def list(self, prefix: str) -> Iterator[StoredObject]:
        blobs: list[storage.Blob] = self.call(
            "list",
            None,
            lambda: list(
                self.client.list_blobs(
                    self.bucket, prefix=prefix or None, retry=None, timeout=self.timeout
                )
            ),
            bucket_level=True,
        )
        for blob in blobs:
            yield StoredObject(blob.name, int(blob.size or 0), _updated(blob))

    def _upload(self, key: str, data: bytes, **conditions: Any) -> storage.Blob:
        blob = self._blob(key)
        blob.upload_from_string(
            data,
            content_type="application/octet-stream",
            retry=None,
            timeout=self.timeout,
            checksum="crc32c",
            **conditions,
        )
        return blob

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        blob = self.call("put", key, lambda: self._upload(key, data))
        checksum = google_crc32c.Checksum(data)  # type: ignore[no-untyped-call]
        return self._check(key, blob._properties, len(data), _crc32c_b64(checksum))

    def create_exclusive(self, key: str, data: bytes) -> bool:
        try:
            # Generation 0 means "no live object": GCS answers 412 when one exists.
            self.call(
                "create exclusive", key, lambda: self._upload(key, data, if_generation_match=0)
            )
        except StoreError as error:
            if isinstance(error.__cause__, api.PreconditionFailed):
                return False
            raise
        return True

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.read(key))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            with contextlib.suppress(ObjectNotFoundError):
                self.call(
                    "delete",
                    key,
                    lambda key=key: self._blob(key).delete(retry=None, timeout=self.timeout),  # type: ignore[misc]
                )

    def _check(self, key: str, resource: dict[str, Any], size: int, crc32c: str) -> StoredObject:
        where = f"{self.description}/{key}"
        stored_size = int(resource.get("size", -1))
        if stored_size != size:
            raise StoreIntegrityError(f"{where}: stored {stored_size} bytes, sent {size}")
        stored_crc = resource.get("crc32c")
        if stored_crc is None:
            raise StoreIntegrityError(f"{where}: the store reported no CRC32C for the object")
        if stored_crc != crc32c:
            raise StoreIntegrityError(f"{where}: stored CRC32C {stored_crc} != sent {crc32c}")
        updated = resource.get("updated")
        modified = datetime.fromisoformat(updated) if updated else datetime.now(UTC)
        return StoredObject(key, size, modified)


class GcsWriter:
    def __init__(self, store: GcsStore, key: str) -> None:
        self._store = store
        self._key = key
        self._session: str | None = None
        self._offset = 0
        self._crc = google_crc32c.Checksum()  # type: ignore[no-untyped-call]
        self._resource: dict[str, Any] | None = None
        self._pipeline = PartPipeline(store.part_size, self._send)

    def _ensure_session(self) -> str:
        if self._session is None:
            store = self._store
            blob = store._blob(self._key)
            self._session = store.call(
                "start upload",
                self._key,
                lambda: blob.create_resumable_upload_session(
                    content_type="application/octet-stream",
                    retry=None,
                    timeout=store.timeout,
                    checksum=None,
                ),
            )
        return self._session

    def _send(self, number: int, data: memoryview) -> None:
        store = self._store
        session = self._ensure_session()
        # Full parts leave the total open; the short (possibly empty) last one closes it.
        final = len(data) < store.part_size
        start = self._offset
        end = start + len(data)
        total = str(end) if final else "*"
        content_range = f"bytes {start}-{end - 1}/{total}" if data else f"bytes */{total}"

        def put() -> None:
            response = store.client._http.put(
                session,
                data=PartReader(data),
                headers={"Content-Range": content_range},
                timeout=store.timeout,
            )
            status = response.status_code
            if status in TRANSIENT_STATUS:
                raise TransientError(f"HTTP {status}")
            if final and status in (200, 201):
                self._resource = response.json()
            elif not final and status == 308:
                pass
            else:
                raise _http_error(
                    store.description,
                    f"{store.description}/{self._key}",
                    f"upload chunk {number}",
                    status,
                )

        store.call(f"upload chunk {number}", self._key, put)
        # google_crc32c takes bytes only: 1 MiB copies, not one of the whole part.
        for offset in range(0, len(data), 1 << 20):
            self._crc.update(bytes(data[offset : offset + (1 << 20)]))  # type: ignore[no-untyped-call]
        self._offset = end

    def write(self, chunk: bytes) -> None:
        self._pipeline.write(chunk)

    def commit(self) -> StoredObject:
        self._pipeline.finish(always_last=True)
        assert self._resource is not None, "the final chunk returns the object resource"
        return self._store._check(
            self._key, self._resource, self._pipeline.size, _crc32c_b64(self._crc)
        )

    def abort(self) -> None:
        self._pipeline.cancel()
        if self._session is not None:
            session, self._session = self._session, None
            # GCS answers 499 to a cancelled session; the emulator may answer otherwise.
            # On failure the session expires on its own; nothing became visible.
            with contextlib.suppress(requests.RequestException):
                self._store.client._http.delete(session, timeout=self._store.timeout)


def _http_error(description: str, where: str, what: str, status: int) -> StoreError:
    if status in (401, 403):
        return StoreAccessDeniedError(f"{where}: access denied (HTTP {status})")
    if status == 404:
        return StoreNotFoundError(f"{description}: bucket does not exist (BACKUP_GCS_BUCKET)")
    return StoreError(f"{where}: {what} failed: HTTP {status}")


def _updated(blob: storage.Blob | None) -> datetime:
    updated = blob.updated if blob is not None else None
    return updated if updated is not None else datetime.now(UTC)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
