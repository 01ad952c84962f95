"""Backup stores: where the backup runtime writes, one module per kind of storage.

Each store is a ComponentResource that creates (or, for S3-compatible stores, refers to) the
storage and the identity the backup pods use, and hands the backup component a `StoreBinding`:
the environment, ServiceAccount annotations, pod labels and volumes that let `awx-runtime`
reach it (names per docs/backups.md and the runtime's contract).
"""
