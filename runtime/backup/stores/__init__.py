"""The four backup stores and `open_store`, which builds one from the pod's environment
(variables per docs/backup-stores.md). Keys are relative to the store root: the commands put
BACKUP_PREFIX in front themselves."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from runtime.backup.store import BackupStore
from runtime.backup.stores.pvc import PvcStore
from runtime.errors import ConfigurationError
from runtime.retry import RetryPolicy

KINDS = ("s3", "azure", "gcs", "pvc")
S3_SSE = ("AES256", "aws:kms")
MIN_PART_MIB = 5
"""S3 refuses parts below 5 MiB (except the last)."""
DEFAULT_PART_MIB = 8
"""The AWS CLI's multipart chunk size: memory holds two parts (see stores/parts.py)."""
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_SECONDS = 0.5
DEFAULT_TIMEOUT_SECONDS = 60
TUNING_HELP = f"""store tuning, environment only (docs/backup-stores.md):
  BACKUP_PART_SIZE_MIB (default {DEFAULT_PART_MIB}, at least {MIN_PART_MIB}) first part of an upload
  BACKUP_MAX_ATTEMPTS (default {DEFAULT_MAX_ATTEMPTS}) attempts per store request
  BACKUP_RETRY_BASE_SECONDS (default {DEFAULT_RETRY_BASE_SECONDS}) first backoff ceiling
  BACKUP_STORE_TIMEOUT_SECONDS (default {DEFAULT_TIMEOUT_SECONDS}) connect and read timeout"""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(
            f"{name}: required for BACKUP_STORAGE_TYPE={env.get('BACKUP_STORAGE_TYPE')}, not set"
        )
    return value


def _optional(env: Mapping[str, str], name: str) -> str | None:
    return env.get(name, "").strip() or None


def _positive(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    text = env.get(name, "").strip() or str(default)
    try:
        value = int(text)
    except ValueError:
        raise ConfigurationError(f"{name}: {text!r} is not an integer") from None
    if value < minimum:
        raise ConfigurationError(f"{name}: must be at least {minimum}, got {value}")
    return value


def retry_policy(env: Mapping[str, str]) -> RetryPolicy:
    text = env.get("BACKUP_RETRY_BASE_SECONDS", "").strip() or str(DEFAULT_RETRY_BASE_SECONDS)
    try:
        base = float(text)
    except ValueError:
        raise ConfigurationError(f"BACKUP_RETRY_BASE_SECONDS: {text!r} is not a number") from None
    if not 0 <= base <= 60:
        raise ConfigurationError(f"BACKUP_RETRY_BASE_SECONDS: must be within 0..60, got {base}")
    return RetryPolicy(
        attempts=_positive(env, "BACKUP_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS), base_delay=base
    )


def open_store(env: Mapping[str, str] | None = None) -> BackupStore:
    """The store BACKUP_STORAGE_TYPE names; ConfigurationError names a missing/bad variable."""
    env = os.environ if env is None else env
    kind = env.get("BACKUP_STORAGE_TYPE", "").strip()
    if kind not in KINDS:
        raise ConfigurationError(
            f"BACKUP_STORAGE_TYPE: {kind!r} is not one of {', '.join(KINDS)}"
            if kind
            else "BACKUP_STORAGE_TYPE: required, not set"
        )
    part_size = _positive(env, "BACKUP_PART_SIZE_MIB", DEFAULT_PART_MIB, MIN_PART_MIB) << 20
    timeout = float(_positive(env, "BACKUP_STORE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    retry = retry_policy(env)
    if kind == "pvc":
        return PvcStore(Path(_required(env, "BACKUP_PVC_PATH")))
    # Each SDK is imported only for its own kind: a pod uses one store, and importing all
    # three costs tens of MiB of resident memory and seconds of start-up.
    if kind == "s3":
        from runtime.backup.stores.s3 import S3Store  # noqa: PLC0415

        sse = _optional(env, "BACKUP_S3_SSE")
        if sse is not None and sse not in S3_SSE:
            raise ConfigurationError(f"BACKUP_S3_SSE: {sse!r} is not one of {', '.join(S3_SSE)}")
        return S3Store(
            bucket=_required(env, "BACKUP_S3_BUCKET"),
            region=_optional(env, "BACKUP_S3_REGION"),
            endpoint_url=_optional(env, "BACKUP_S3_ENDPOINT_URL"),
            sse=sse,
            kms_key_arn=_optional(env, "BACKUP_S3_KMS_KEY_ARN"),
            part_size=part_size,
            retry=retry,
            timeout=timeout,
            credentials=_aws_credentials(env),
        )
    if kind == "azure":
        from runtime.backup.stores.azure import AzureStore, container_client  # noqa: PLC0415

        connection_string = _optional(env, "AZURE_STORAGE_CONNECTION_STRING")
        account_url = (
            _optional(env, "BACKUP_AZURE_ACCOUNT_URL")
            if connection_string
            else _required(env, "BACKUP_AZURE_ACCOUNT_URL")
        )
        container = _required(env, "BACKUP_AZURE_CONTAINER")
        return AzureStore(
            container_client(account_url, container, connection_string, timeout=timeout),
            part_size,
            retry,
        )
    from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415
    from google.cloud import storage  # type: ignore[import-untyped]  # noqa: PLC0415

    from runtime.backup.stores.gcs import GcsStore  # noqa: PLC0415

    project = _optional(env, "BACKUP_GCS_PROJECT")
    emulator = _optional(env, "STORAGE_EMULATOR_HOST")
    if emulator is not None:
        client = storage.Client(
            project=project or "emulator",
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": emulator},
        )
    else:
        client = storage.Client(project=project)
    return GcsStore(client, _required(env, "BACKUP_GCS_BUCKET"), part_size, retry, timeout)


def _aws_credentials(env: Mapping[str, str]) -> dict[str, str]:
    """Static keys when the mapping carries them (MinIO, tests); else boto3's own chain (IRSA,
    instance role, the process environment)."""
    names = {
        "aws_access_key_id": "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
        "aws_session_token": "AWS_SESSION_TOKEN",
    }
    found = {argument: env[name] for argument, name in names.items() if env.get(name)}
    return found if "aws_access_key_id" in found else {}
