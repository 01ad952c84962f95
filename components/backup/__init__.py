"""Backups: the backup, restore and drill jobs, their pods' environment, and the stores per cloud.

platform.py calls `create_backups` (the store first, then the jobs) and exports
`backup_outputs`; the stores live in stores/, one module per storage_type.
"""

from components.backup.jobs import AwxBackup, AwxBackupArgs
from components.backup.stores import BackupStore
from components.backup.wiring import backup_outputs, create_backups

__all__ = ["AwxBackup", "AwxBackupArgs", "BackupStore", "backup_outputs", "create_backups"]
