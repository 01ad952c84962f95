"""Validation of CronJob schedules in the syntax the Kubernetes CronJob controller accepts.

The controller parses schedules with robfig/cron's standard parser: five fields or a
descriptor. `@every` and time-zone prefixes are refused here on purpose: alerts that
watch for missed backups need a schedule whose period can be read off the fields, and
Kubernetes itself rejects `TZ=`/`CRON_TZ=` in favour of `spec.timeZone`.
"""

from dataclasses import dataclass

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]
    question_mark: bool


_FIELDS = (
    _Field("minute", 0, 59, {}, question_mark=False),
    _Field("hour", 0, 23, {}, question_mark=False),
    _Field("day of month", 1, 31, {}, question_mark=True),
    _Field("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}, question_mark=False),
    _Field("day of week", 0, 6, {d: i for i, d in enumerate(_DAYS)}, question_mark=True),
)


def validate_cron(expression: str) -> str:
    """Return the expression if valid; otherwise raise ValueError naming the wrong part."""
    text = expression.strip()
    if text.startswith("@"):
        if text in DESCRIPTORS:
            return expression
        raise ValueError(
            f"{expression!r}: unknown descriptor; allowed: {', '.join(DESCRIPTORS)} "
            "or five fields 'minute hour day-of-month month day-of-week'"
        )
    parts = text.split()
    if len(parts) != len(_FIELDS):
        raise ValueError(
            f"{expression!r} has {len(parts)} fields; a schedule needs five: "
            "'minute hour day-of-month month day-of-week' (e.g. '0 2 * * *')"
        )
    for part, field in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            _check_item(item, field, expression)
    return expression


def _check_item(item: str, field: _Field, expression: str) -> None:
    def fail(reason: str) -> ValueError:
        return ValueError(
            f"{expression!r}: {field.name} field {item!r} {reason} "
            f"(allowed {field.low}-{field.high}, '*', ranges a-b, steps */n, lists a,b)"
        )

    if not item:
        raise fail("is empty")
    span, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        raise fail("has a step that is not a positive whole number")
    if span in ("*", "?"):
        if span == "?" and not field.question_mark:
            raise fail("uses '?', which only day fields accept")
        return
    low_text, dash, high_text = span.partition("-")
    low = _value(low_text, field)
    high = _value(high_text, field) if dash else low
    if low is None or high is None:
        raise fail("is not a number or name")
    if not (field.low <= low <= field.high and field.low <= high <= field.high):
        raise fail("is out of range")
    if low > high:
        raise fail("has a range whose start is after its end")


def _value(text: str, field: _Field) -> int | None:
    if text.isdigit():
        return int(text)
    return field.names.get(text.upper())
