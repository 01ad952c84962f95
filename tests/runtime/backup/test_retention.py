"""Retention selection: properties over generated histories, and worked examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.backup.retention import BackupRecord, Decision, RetentionPolicy, decide

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

ages = st.lists(
    st.integers(min_value=0, max_value=3 * 365 * 24 * 60), min_size=0, max_size=60, unique=True
)
policies = st.builds(
    RetentionPolicy,
    days=st.integers(1, 400),
    max_backups=st.one_of(st.none(), st.integers(1, 40)),
    daily=st.integers(0, 10),
    weekly=st.integers(0, 6),
    monthly=st.integers(0, 13),
    yearly=st.integers(0, 3),
    min_backups=st.integers(1, 6),
)


def history(minutes_ago: list[int]) -> list[BackupRecord]:
    return [
        BackupRecord(f"awx-backup-awx-{index:03d}", NOW - timedelta(minutes=minutes))
        for index, minutes in enumerate(minutes_ago)
    ]


def kept(decisions: list[Decision]) -> set[str]:
    return {decision.name for decision in decisions if decision.keep}


@settings(max_examples=300, deadline=None)
@given(ages, policies)
def test_safety_floors(minutes_ago: list[int], policy: RetentionPolicy) -> None:
    backups = history(minutes_ago)
    decisions = decide(backups, policy, NOW)
    assert len(decisions) == len(backups)
    assert [d.finished for d in sorted(backups, key=lambda b: b.finished, reverse=True)] == [
        next(b.finished for b in backups if b.name == d.name) for d in decisions
    ]
    if backups:
        newest = max(backups, key=lambda record: record.finished)
        assert decisions[0].name == newest.name
        assert decisions[0].keep
    assert len(kept(decisions)) >= min(policy.min_backups, len(backups))
    assert all(decision.reasons for decision in decisions)


@settings(max_examples=300, deadline=None)
@given(ages, policies)
def test_pruning_the_kept_set_again_removes_nothing(
    minutes_ago: list[int], policy: RetentionPolicy
) -> None:
    backups = history(minutes_ago)
    survivors = [b for b in backups if b.name in kept(decide(backups, policy, NOW))]
    assert kept(decide(survivors, policy, NOW)) == {b.name for b in survivors}


@settings(max_examples=300, deadline=None)
@given(ages, policies)
def test_gfs_keeps_the_newest_of_each_recent_period(
    minutes_ago: list[int], policy: RetentionPolicy
) -> None:
    backups = history(minutes_ago)
    names = kept(decide(backups, policy, NOW))
    newest_first = sorted(backups, key=lambda b: b.finished, reverse=True)
    periods = {
        "daily": (policy.daily, lambda m: m.date()),
        "weekly": (policy.weekly, lambda m: m.isocalendar()[:2]),
        "monthly": (policy.monthly, lambda m: (m.year, m.month)),
        "yearly": (policy.yearly, lambda m: m.year),
    }
    for count, period_of in periods.values():
        newest_per_period: dict[object, BackupRecord] = {}
        for backup in newest_first:
            newest_per_period.setdefault(period_of(backup.finished), backup)
        recent = sorted(newest_per_period.values(), key=lambda b: b.finished, reverse=True)
        assert {b.name for b in recent[:count]} <= names


@settings(max_examples=300, deadline=None)
@given(ages, policies)
def test_removed_backups_break_a_limit(minutes_ago: list[int], policy: RetentionPolicy) -> None:
    """Anything removed is older than `days` or beyond `max_backups`; nothing is removed while
    the floors are not met."""
    backups = history(minutes_ago)
    decisions = decide(backups, policy, NOW)
    for position, decision in enumerate(decisions):
        if decision.keep:
            continue
        record = next(b for b in backups if b.name == decision.name)
        too_old = record.finished < NOW - timedelta(days=policy.days)
        too_many = policy.max_backups is not None and position >= policy.max_backups
        assert too_old or too_many
        assert not any(reason.endswith("keep") for reason in decision.reasons)


@settings(max_examples=200, deadline=None)
@given(ages, policies)
def test_with_no_gfs_keeps_age_and_count_bound_the_kept_set(
    minutes_ago: list[int], policy: RetentionPolicy
) -> None:
    plain = RetentionPolicy(policy.days, policy.max_backups, 0, 0, 0, 0, policy.min_backups)
    backups = history(minutes_ago)
    names = kept(decide(backups, plain, NOW))
    young = [b for b in backups if b.finished >= NOW - timedelta(days=plain.days)]
    limit = len(young) if plain.max_backups is None else min(len(young), plain.max_backups)
    assert len(names) == max(limit, min(plain.min_backups, len(backups)))


def daily_history(days: int) -> list[BackupRecord]:
    return [BackupRecord(f"b-{day:03d}", NOW - timedelta(days=day, hours=1)) for day in range(days)]


def test_example_age_limit_with_floor() -> None:
    policy = RetentionPolicy(days=7, max_backups=None, daily=0, weekly=0, monthly=0, yearly=0)
    decisions = decide(daily_history(10), policy, NOW)
    assert [d.keep for d in decisions] == [True] * 7 + [False] * 3
    assert decisions[-1].reasons == ("older than 7 days",)
    assert decisions[0].reasons == ("within 7 days",)


def test_example_everything_old_keeps_min_backups_newest_first() -> None:
    policy = RetentionPolicy(days=1, max_backups=None, daily=0, weekly=0, monthly=0, yearly=0)
    backups = [BackupRecord(f"b-{n}", NOW - timedelta(days=30 + n)) for n in range(5)]
    decisions = decide(backups, policy, NOW)
    assert [d.keep for d in decisions] == [True, True, True, False, False]
    assert decisions[0].reasons == ("newest backup", "older than 1 days")
    assert decisions[1].reasons[0] == "min_backups 3"


def test_example_gfs_keeps_named_periods() -> None:
    policy = RetentionPolicy(days=3, max_backups=5, daily=2, weekly=0, monthly=2, yearly=0)
    decisions = decide(daily_history(60), policy, NOW)
    by_name = {d.name: d for d in decisions}
    assert by_name["b-000"].reasons == ("daily keep 2026-11-28", "monthly keep 2026-11")
    assert by_name["b-001"].reasons == ("daily keep 2026-11-27",)
    # The last backup of October (finished 2026-10-31 11:00) is October's monthly keep.
    assert by_name["b-028"].reasons == ("monthly keep 2026-10",)
    assert kept(decisions) == {"b-000", "b-001", "b-002", "b-028"}
    assert by_name["b-003"].reasons == ("older than 3 days",)


def test_example_max_count() -> None:
    policy = RetentionPolicy(days=365, max_backups=4, daily=0, weekly=0, monthly=0, yearly=0)
    decisions = decide(daily_history(6), policy, NOW)
    assert [d.keep for d in decisions] == [True] * 4 + [False] * 2
    assert decisions[5].reasons == ("beyond the newest 4",)


def test_no_backups() -> None:
    policy = RetentionPolicy(days=1, max_backups=1, daily=1, weekly=1, monthly=1, yearly=1)
    assert decide([], policy, NOW) == []
