"""The store for the configured storage_type."""

import pulumi

from components.storage.azure import AzureBackupStore
from components.storage.binding import StoreArgs
from components.storage.gcs import GcsBackupStore
from components.storage.pvc import PvcBackupStore
from components.storage.s3 import S3BackupStore

BackupStore = S3BackupStore | AzureBackupStore | GcsBackupStore | PvcBackupStore
_STORES: dict[str, type[BackupStore]] = {
    "s3": S3BackupStore,
    "azure": AzureBackupStore,
    "gcs": GcsBackupStore,
    "pvc": PvcBackupStore,
}


def create_store(name: str, args: StoreArgs, opts: pulumi.ResourceOptions) -> BackupStore:
    store = _STORES[args.settings.storage_type]
    return store(f"{name}-{args.settings.storage_type}", args, opts)
