"""Quantities and cron schedules are judged the way Kubernetes judges them."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.settings.cron import DESCRIPTORS, validate_cron
from components.settings.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        ("0.25", Decimal("0.25")),
        ("512Mi", Decimal(512 * 2**20)),
        ("4Gi", Decimal(4 * 2**30)),
        ("1k", Decimal(1000)),
        ("1e3", Decimal(1000)),
        ("1.5G", Decimal(1_500_000_000)),
        ("100u", Decimal("0.0001")),
    ],
)
def test_quantities_parse_to_their_value(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Gi", "1.2.3", "5 Gi", "1gi", "2x", "1Ki1", "--1"])
def test_malformed_quantities_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a Kubernetes quantity"):
        parse_quantity(text)


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["Ki", "Mi", "Gi", "Ti"]))
def test_binary_suffixes_are_powers_of_1024(number: int, suffix: str) -> None:
    power = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4}[suffix]
    assert parse_quantity(f"{number}{suffix}") == number * 1024**power


@given(st.integers(min_value=0, max_value=10**6))
def test_milli_is_a_thousandth(number: int) -> None:
    assert parse_quantity(f"{number}m") * 1000 == number


_field = st.one_of(
    st.just("*"),
    st.integers(0, 59).map(str),
    st.tuples(st.integers(0, 29), st.integers(30, 59)).map(lambda r: f"{r[0]}-{r[1]}"),
    st.integers(1, 30).map(lambda n: f"*/{n}"),
)


@given(_field, st.integers(0, 23), st.integers(1, 31), st.integers(1, 12), st.integers(0, 6))
def test_valid_schedules_are_accepted(
    minute: str, hour: int, day: int, month: int, weekday: int
) -> None:
    expression = f"{minute} {hour} {day} {month} {weekday}"
    assert validate_cron(expression) == expression


@pytest.mark.parametrize(
    "expression",
    [
        "0 2 * * *",
        "*/15 * * * *",
        "0 0 1,15 * *",
        "30 4 ? JAN-MAR mon-fri",
        "0 2 * * SUN",
        *DESCRIPTORS,
    ],
)
def test_common_schedules_are_accepted(expression: str) -> None:
    assert validate_cron(expression) == expression


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("60 * * * *", "minute field '60' is out of range"),
        ("0 24 * * *", "hour field '24' is out of range"),
        ("0 0 0 * *", "day of month field '0' is out of range"),
        ("0 0 * 13 *", "month field '13' is out of range"),
        ("0 0 * * 7", "day of week field '7' is out of range"),
        ("0 0 * * MON-SUN", "range whose start is after its end"),
        ("*/0 * * * *", "step that is not a positive whole number"),
        ("? * * * *", "only day fields accept"),
        ("0 2 * *", "has 4 fields"),
        ("0 2 * * * *", "has 6 fields"),
        ("@every 1h", "unknown descriptor"),
        ("0 2 * * FOO", "is not a number or name"),
        ("0 2,, * * *", "is empty"),
    ],
)
def test_invalid_schedules_say_what_is_wrong(expression: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_cron(expression)
