"""Fixtures of the backup tests: the commands' (tests/runtime/backup/fixtures.py: PostgreSQL
with AWX-like data, restore targets, Pushgateway, keys, a runner) and a fresh store of each kind
on real emulators (tests/runtime/backup/stores.py)."""

from tests.runtime.backup.fixtures import (
    aes_key_file,
    age_keys,
    backup_source,
    other_age_keys,
    pushgateway,
    restore_target,
    runner,
    secrets_dir,
)
from tests.runtime.backup.stores import emulators, store_env

__all__ = [
    "aes_key_file",
    "age_keys",
    "backup_source",
    "emulators",
    "other_age_keys",
    "pushgateway",
    "restore_target",
    "runner",
    "secrets_dir",
    "store_env",
]
