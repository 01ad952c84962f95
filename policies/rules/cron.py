"""How often a Kubernetes CronJob schedule can fire in one day (an upper bound)."""

from __future__ import annotations

DESCRIPTORS = {
    "@yearly": 1,
    "@annually": 1,
    "@monthly": 1,
    "@weekly": 1,
    "@daily": 1,
    "@midnight": 1,
    "@hourly": 24,
}


def _field_size(field: str, low: int, high: int) -> int:
    """How many values a minute or hour field selects (ranges, lists, steps, `*`)."""
    values: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            start_text, end_text = base.split("-", 1)
            start, end = int(start_text), int(end_text)
        else:
            start = int(base)
            end = high if step_text else start
        if step < 1 or start < low or end > high or start > end:
            raise ValueError(f"{item!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return len(values)


def runs_per_day(schedule: str) -> int | None:
    """Most runs the schedule can start in a day; None when it cannot be read."""
    fields = schedule.split()
    if fields and fields[0].startswith(("CRON_TZ=", "TZ=")):
        fields = fields[1:]
    if len(fields) == 1:
        return DESCRIPTORS.get(fields[0])
    if len(fields) != 5:
        return None
    try:
        return _field_size(fields[0], 0, 59) * _field_size(fields[1], 0, 23)
    except ValueError:
        return None
