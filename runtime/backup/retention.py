"""Which complete backups `prune` removes: age, count and grandfather-father-son keeps.

Pure selection over manifests' names and times, so it is property-tested (hypothesis) apart
from any store. Rules, in order (docs/retention.md):

1. Grandfather-father-son: the newest backup of each of the last `daily` days, `weekly` ISO
   weeks, `monthly` months and `yearly` years (periods that hold a backup) is kept.
2. Everything else is kept while it is younger than `days` and among the newest `max_backups`.
3. Safety floors, whatever 1 and 2 say: the newest backup is kept, and the newest ones are kept
   until at least `min_backups` are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


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


Period = Callable[[datetime], str]

_PERIODS: tuple[tuple[str, Period], ...] = (
    ("daily", lambda moment: moment.strftime("%Y-%m-%d")),
    ("weekly", lambda moment: "{}-W{:02d}".format(*moment.isocalendar()[:2])),
    ("monthly", lambda moment: moment.strftime("%Y-%m")),
    ("yearly", lambda moment: moment.strftime("%Y")),
)


def _gfs_keeps(ordered: Sequence[BackupRecord], policy: RetentionPolicy) -> dict[str, list[str]]:
    """Per backup name, the GFS reasons that keep it: the newest backup of each of the last N
    periods that hold one."""
    reasons: dict[str, list[str]] = {}
    for label, period_of in _PERIODS:
        wanted = getattr(policy, label)
        seen: set[str] = set()
        for record in ordered:
            if len(seen) >= wanted:
                break
            period = period_of(record.finished)
            if period in seen:
                continue
            seen.add(period)
            reasons.setdefault(record.name, []).append(f"{label} keep {period}")
    return reasons


def decide(
    backups: Sequence[BackupRecord], policy: RetentionPolicy, now: datetime
) -> list[Decision]:
    """One decision per backup, newest first. Never removes the newest backup, never leaves
    fewer than policy.min_backups kept."""
    # Ties on time are broken by name so the order (and so every decision) is deterministic.
    ordered = sorted(backups, key=lambda record: (record.finished, record.name), reverse=True)
    gfs = _gfs_keeps(ordered, policy)
    cutoff = now - timedelta(days=policy.days)
    keep: list[bool] = []
    reasons: list[list[str]] = []
    for position, record in enumerate(ordered):
        why = list(gfs.get(record.name, ()))
        drop_reasons: list[str] = []
        if record.finished < cutoff:
            drop_reasons.append(f"older than {policy.days} days")
        if policy.max_backups is not None and position >= policy.max_backups:
            drop_reasons.append(f"beyond the newest {policy.max_backups}")
        if not why and not drop_reasons:
            why.append(f"within {policy.days} days")
        keep.append(bool(why))
        reasons.append(why if why else drop_reasons)
    if ordered and not keep[0]:
        keep[0] = True
        reasons[0] = ["newest backup", *reasons[0]]
    # Floor: keep the newest dropped ones until min_backups are kept.
    for position in range(len(ordered)):
        if sum(keep) >= policy.min_backups:
            break
        if not keep[position]:
            keep[position] = True
            reasons[position] = [f"min_backups {policy.min_backups}", *reasons[position]]
    return [
        Decision(record.name, kept, tuple(why))
        for record, kept, why in zip(ordered, keep, reasons, strict=True)
    ]
