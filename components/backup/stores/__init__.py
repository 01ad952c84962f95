"""Backup stores: where the backup runtime writes, one module per kind of storage.

Each store is a ComponentResource that creates (or, for S3-compatible stores, refers to) the
storage and the identity the backup pods use, and hands the backup jobs a `StoreBinding`: the
environment, ServiceAccount annotations, pod labels and volumes that let `awx-runtime` reach
it (names per docs/backups.md and the runtime's contract).

A store's module is imported only when the stack uses its storage_type, and with it its cloud
SDK: the local (pvc) stack and an S3-compatible one load none of pulumi_aws,
pulumi_azure_native and pulumi_gcp, an S3 stack only pulumi_aws. A new kind of store is a
module here plus one line in _STORES.
"""

import importlib
from collections.abc import Callable
from typing import Protocol

import pulumi

from components.backup.stores.binding import StoreArgs, StoreBinding
from components.settings.backup import BackupSettings


class BackupStore(Protocol):
    """What the backup jobs and the stack outputs need of any store."""

    binding: StoreBinding
    """How backup, restore and drill pods reach the store."""

    def stack_outputs(self) -> dict[str, object]:
        """What operators need to find their backups: names and identities, never keys."""
        ...


StoreFactory = Callable[[str, StoreArgs, pulumi.ResourceOptions], BackupStore]

_STORES = {
    "s3": ("components.backup.stores.s3", "S3BackupStore"),
    "s3-compatible": ("components.backup.stores.s3_compatible", "S3CompatibleStore"),
    "azure": ("components.backup.stores.azure", "AzureBackupStore"),
    "gcs": ("components.backup.stores.gcs", "GcsBackupStore"),
    "pvc": ("components.backup.stores.pvc", "PvcBackupStore"),
}
"""Kind of store -> (module, class)."""


def store_kind(settings: BackupSettings) -> str:
    """The storage_type, or `s3-compatible` for an S3 store at an endpoint_url."""
    if settings.s3 is not None and settings.storage_type == "s3" and not settings.s3.creates_bucket:
        return "s3-compatible"
    return settings.storage_type


def create_store(name: str, args: StoreArgs, opts: pulumi.ResourceOptions) -> BackupStore:
    """The store for the configured storage_type, named `<name>-<storage_type>`."""
    module, class_name = _STORES[store_kind(args.settings)]
    store: StoreFactory = getattr(importlib.import_module(module), class_name)
    return store(f"{name}-{args.settings.storage_type}", args, opts)
