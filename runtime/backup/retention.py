"""Which complete backups `prune` removes: age, count and grandfather-father-son keeps.

Pure selection over manifests' names and times, so it is property-tested (hypothesis) apart
from any store. Implemented in full by the retention helper; the signatures are the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    days: int
    """Backups older than this go, unless min_backups or the newest-backup rule keeps them."""
    max_backups: int | None
    daily: int
    weekly: int
    monthly: int
    yearly: int
    min_backups: int = 3


@dataclass(frozen=True)
class BackupRecord:
    name: str
    finished: datetime
    """When the backup completed (manifest end time), timezone-aware UTC."""


@dataclass(frozen=True)
class Decision:
    name: str
    keep: bool
    reasons: tuple[str, ...]
    """Why, in words for `prune --dry-run`, e.g. ("daily keep 2026-11-20",) or
    ("older than 90 days",)."""


def decide(
    backups: Sequence[BackupRecord], policy: RetentionPolicy, now: datetime
) -> list[Decision]:
    """One decision per backup, newest first. Never removes the newest backup, never leaves
    fewer than policy.min_backups kept."""
    raise NotImplementedError("retention helper implements this")
