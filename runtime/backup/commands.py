"""`awx-runtime backup create|list|verify|restore|prune|drill`.

create   pg_dump -Fc -Z0 --clean --create -> zstd|gzip|none -> age|aes-256 -> store, plus AWX's
         Secrets from --secrets-dir the same way; manifest.json LAST; then prune. One run per
         deployment at a time (a lock in the store).
list     complete backups (with a manifest), newest first; --json for scripts.
verify   download, decrypt, decompress, check sizes and sha256, and that `pg_restore --list`
         reads the dump; writes to no database.
restore  stream a backup into --target-dsn in one transaction (pg_restore --single-transaction):
         refuses a non-empty target unless --clean; --restore-secrets recreates AWX's Secrets.
prune    apply retention (age, count, daily/weekly/monthly/yearly, min_backups) and remove
         partial leftovers older than a day; --dry-run prints what would go and why.
drill    restore the newest backup into the scratch PostgreSQL at BACKUP_DRILL_TARGET_DSN and
         check it.

Exit status: 0 success, 1 failure (one-line error naming backup, key, flag or file), 2 bad
setting (naming flag and variable). Store settings: docs/backup-stores.md; all: docs/runtime.md.
"""

from __future__ import annotations

import argparse
from typing import Any

from runtime.backup import create, drill, prune, restore, verify
from runtime.backup import list as listing
from runtime.backup.settings import add_arguments
from runtime.backup.stores import TUNING_HELP

COMMANDS = {
    "create": create,
    "list": listing,
    "verify": verify,
    "restore": restore,
    "prune": prune,
    "drill": drill,
}
"""Each module: SUMMARY, add_arguments(parser) for its own flags, run(arguments) -> exit code."""


def register(groups: Any) -> None:
    backup = groups.add_parser("backup", help="Encrypted, verified backups of AWX.")
    commands = backup.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        parser = commands.add_parser(
            name,
            help=module.SUMMARY,
            description=f"{module.SUMMARY}\n\n{__doc__}",
            epilog=TUNING_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments(parser)
        module.add_arguments(parser)
        parser.set_defaults(handler=module.run)
