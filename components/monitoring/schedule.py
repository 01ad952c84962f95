"""The longest gap between two runs of a cron schedule, for the missed-backup alert.

AWXBackupMissing must not fire between two scheduled runs, so it waits for the longest gap
the schedule can have (a weekly schedule: 7 days; `0 2 * * 1-5`: Friday to Monday), not the
shortest. Schedules were validated by components/settings/cron.py; this only expands them.
"""

from datetime import date, timedelta
from itertools import pairwise

from components.settings.cron import _FIELDS, DESCRIPTORS, _Field, _value

# Four years and a bit cover every calendar pattern a five-field schedule can have (leap days).
_SPAN_DAYS = 4 * 366 + 31


def longest_gap_seconds(expression: str) -> int:
    """Seconds of the longest gap between consecutive runs of `expression`."""
    text = DESCRIPTORS.get(expression.strip(), expression.strip())
    _, _, day, _, weekday = text.split()
    fields = [_expand(part, field) for part, field in zip(text.split(), _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = fields
    times = sorted(h * 60 + m for h in hours for m in minutes)
    # robfig/cron: when both day fields are restricted, a day matches if either does.
    either = not day.startswith(("*", "?")) and not weekday.startswith(("*", "?"))
    start = date(2024, 1, 1)
    matching = []
    for offset in range(_SPAN_DAYS):
        current = start + timedelta(days=offset)
        by_day = current.day in days
        by_weekday = (current.isoweekday() % 7) in weekdays
        hit = (by_day or by_weekday) if either else (by_day and by_weekday)
        if current.month in months and hit:
            matching.append(offset)
    within = max((b - a for a, b in pairwise(times)), default=0)
    across = max(
        ((b - a) * 1440 - times[-1] + times[0] for a, b in pairwise(matching)),
        default=0,
    )
    return 60 * max(within, across)


def _expand(part: str, field: _Field) -> set[int]:
    values: set[int] = set()
    for item in part.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if span in ("*", "?"):
            low, high = field.low, field.high
        else:
            low_text, dash, high_text = span.partition("-")
            low = _value(low_text, field) or 0
            high = (_value(high_text, field) or 0) if dash else (field.high if step_text else low)
        values.update(range(low, high + 1, step))
    if field.name == "day of week" and 7 in values:
        values.add(0)
    return values
