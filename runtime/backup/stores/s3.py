"""S3 (and S3-compatible: MinIO, moto) with boto3: multipart upload with SHA-256 part checksums.

An object exists only once CompleteMultipartUpload succeeds, so a killed run leaves at most an
incomplete upload (aborted here on failure, else by the bucket's lifecycle rule after a day).
After completion, HeadObject's size and composite SHA-256 (the SHA-256 of the parts' SHA-256
digests, which S3 keeps also under SSE-KMS) are compared with what was sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

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
MAX_PARTS = 10_000
"""S3's limit of parts per multipart upload."""
THROTTLING = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "ServiceUnavailable",
    "InternalError",
    "RequestLimitExceeded",
    "TooManyRequests",
}
DENIED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "AllAccessDisabled",
    "InvalidClientTokenId",
    "KMS.AccessDeniedException",
}


def _sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class S3Store:
    def __init__(
        self,
        *,
        bucket: str,
        region: str | None,
        endpoint_url: str | None,
        sse: str | None,
        kms_key_arn: str | None,
        part_size: int,
        retry: RetryPolicy,
        timeout: float = 60.0,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.bucket = bucket
        self.description = f"s3://{bucket}"
        self.part_size = part_size
        self.retry = retry
        self.stats = RetryStats()
        self._sse: dict[str, str] = {}
        if sse:
            self._sse["ServerSideEncryption"] = sse
            if sse == "aws:kms" and kms_key_arn:
                self._sse["SSEKMSKeyId"] = kms_key_arn
        self.client: Any = boto3.session.Session(**(credentials or {})).client(
            "s3",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(
                # One retry loop (ours): BACKUP_MAX_ATTEMPTS is the only bound.
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=timeout,
                read_timeout=timeout,
                # MinIO and moto serve buckets under the path, not as sub-domains.
                s3={"addressing_style": "path"} if endpoint_url else None,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def call(self, what: str, key: str | None, operation: Callable[[], Result]) -> Result:
        where = f"{self.description}/{key}" if key is not None else self.description

        def attempt() -> Result:
            try:
                return operation()
            except ClientError as error:
                raise self._classify(error, where, what) from error
            except (BotoConnectionError, HTTPClientError) as error:
                # Refused, reset or closed connections and read timeouts.
                raise TransientError(f"{type(error).__name__}: {error}") from error
            except BotoCoreError as error:
                raise StoreError(f"{where}: {what} failed: {error}") from error

        return with_retries(
            self.retry, f"{where}: {what}", attempt, exhausted=StoreError, stats=self.stats, log=LOG
        )

    def _classify(self, error: ClientError, where: str, what: str) -> Exception:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in THROTTLING or status == 429 or status >= 500:
            return TransientError(f"{code or 'HTTP'} {status}")
        if code == "NoSuchBucket" or (code in ("404", "NotFound") and what == "check bucket"):
            return StoreNotFoundError(
                f"{self.description}: bucket does not exist (BACKUP_S3_BUCKET)"
            )
        if code in ("NoSuchKey", "404", "NotFound", "NoSuchUpload"):
            return ObjectNotFoundError(f"{where}: no such object")
        if code in DENIED or status == 403:
            return StoreAccessDeniedError(
                f"{where}: access denied ({code or status}) - check the credentials "
                "(AWS_ACCESS_KEY_ID / IRSA role) and the bucket policy"
            )
        message = error.response.get("Error", {}).get("Message", "")
        return StoreError(f"{where}: {what} failed: {code} {message}".rstrip())

    def check_access(self) -> None:
        self.call("check bucket", None, lambda: self.client.head_bucket(Bucket=self.bucket))
        self.call(
            "list objects",
            None,
            lambda: self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1),
        )

    def open_writer(self, key: str) -> S3Writer:
        return S3Writer(self, key)

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        response = self.call(
            "get", key, lambda: self.client.get_object(Bucket=self.bucket, Key=key)
        )
        body = response["Body"]
        try:
            while chunk := body.read(chunk_size):
                yield chunk
        finally:
            body.close()

    def stat(self, key: str) -> StoredObject:
        head = self.call("head", key, lambda: self.client.head_object(Bucket=self.bucket, Key=key))
        return StoredObject(key, int(head["ContentLength"]), head["LastModified"])

    def list(self, prefix: str) -> Iterator[StoredObject]:
        token: str | None = None
        while True:
            arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                arguments["ContinuationToken"] = token
            page = self.call(
                "list",
                prefix,
                lambda arguments=arguments: self.client.list_objects_v2(**arguments),  # type: ignore[misc]
            )
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"], int(item["Size"]), item["LastModified"])
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def _put(self, key: str, data: bytes, **extra: str) -> Any:
        return self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ChecksumSHA256=_sha256_b64(data),
            **self._sse,
            **extra,
        )

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        self.call("put", key, lambda: self._put(key, data))
        return self._verify(key, len(data), _sha256_b64(data))

    def create_exclusive(self, key: str, data: bytes) -> bool:
        try:
            # A conditional write: S3 answers 412 when the key exists (409 on a concurrent one).
            self.call("create exclusive", key, lambda: self._put(key, data, IfNoneMatch="*"))
        except StoreError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") in (
                "PreconditionFailed",
                "ConditionalRequestConflict",
            ):
                return False
            raise
        return True

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.read(key))

    def delete(self, keys: Iterable[str]) -> None:
        batch = [{"Key": key} for key in keys]
        for start in range(0, len(batch), 1000):
            chunk = batch[start : start + 1000]
            response = self.call(
                "delete",
                None,
                lambda chunk=chunk: self.client.delete_objects(  # type: ignore[misc]
                    Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True}
                ),
            )
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise StoreError(
                    f"{self.description}/{first.get('Key')}: delete failed: {first.get('Code')}"
                )

    def _verify(self, key: str, size: int, composite: str) -> StoredObject:
        head = self.call(
            "verify",
            key,
            lambda: self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED"),
        )
        where = f"{self.description}/{key}"
        if int(head["ContentLength"]) != size:
            raise StoreIntegrityError(f"{where}: stored {head['ContentLength']} bytes, sent {size}")
        stored = head.get("ChecksumSHA256")
        # S3 suffixes a multipart object's composite checksum with "-<parts>"; moto does not.
        if stored is not None and stored.split("-")[0] != composite:
            raise StoreIntegrityError(
                f"{where}: stored SHA-256 checksum {stored} != sent {composite}"
            )
        return StoredObject(key, size, head["LastModified"])


class S3Writer:
    def __init__(self, store: S3Store, key: str) -> None:
        self._store = store
        self._key = key
        self._upload_id: str | None = None
        self._parts: dict[int, str] = {}
        self._digests: dict[int, bytes] = {}
        self._pipeline = PartPipeline(store.part_size, self._upload_part, max_parts=MAX_PARTS)

    def _ensure_upload(self) -> str:
        if self._upload_id is None:
            store = self._store
            created = store.call(
                "start upload",
                self._key,
                lambda: store.client.create_multipart_upload(
                    Bucket=store.bucket, Key=self._key, ChecksumAlgorithm="SHA256", **store._sse
                ),
            )
            self._upload_id = str(created["UploadId"])
        return self._upload_id

    def _upload_part(self, number: int, data: memoryview) -> None:
        store = self._store
        upload_id = self._ensure_upload()
        digest = hashlib.sha256(data).digest()
        response = store.call(
            f"upload part {number}",
            self._key,
            lambda: store.client.upload_part(
                Bucket=store.bucket,
                Key=self._key,
                UploadId=upload_id,
                PartNumber=number,
                # A fresh reader per attempt: a retry sends the part from its start.
                Body=PartReader(data),
                ChecksumSHA256=base64.b64encode(digest).decode(),
            ),
        )
        self._parts[number] = str(response["ETag"])
        self._digests[number] = digest

    def write(self, chunk: bytes) -> None:
        self._pipeline.write(chunk)

    def commit(self) -> StoredObject:
        store = self._store
        # finish() always uploads at least one part, which starts the upload (on the part
        # thread only, so there is never a second upload id).
        count = self._pipeline.finish()
        upload_id = self._ensure_upload()
        parts = [
            {
                "PartNumber": number,
                "ETag": self._parts[number],
                "ChecksumSHA256": base64.b64encode(self._digests[number]).decode(),
            }
            for number in range(1, count + 1)
        ]
        # NoSuchUpload on a retry: the first attempt completed but its answer was lost. The
        # size and checksum check below tells whether the object is really ours.
        with contextlib.suppress(ObjectNotFoundError):
            store.call(
                "complete upload",
                self._key,
                lambda: store.client.complete_multipart_upload(
                    Bucket=store.bucket,
                    Key=self._key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                ),
            )
        composite = hashlib.sha256(b"".join(self._digests[n] for n in range(1, count + 1)))
        return store._verify(
            self._key, self._pipeline.size, base64.b64encode(composite.digest()).decode()
        )

    def abort(self) -> None:
        self._pipeline.cancel()
        if self._upload_id is not None:
            store, upload_id = self._store, self._upload_id
            self._upload_id = None
            store.call(
                "abort upload",
                self._key,
                lambda: store.client.abort_multipart_upload(
                    Bucket=store.bucket, Key=self._key, UploadId=upload_id
                ),
            )
