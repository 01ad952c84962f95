"""runtime/ cannot import the config models' quantity parser (layering), so its own must agree
with it on every form; and the advisor writes quantities rounded up, never down."""

from __future__ import annotations

import pytest

from components.settings.quantity import parse_quantity
from runtime.rightsizing import quantities

CASES = ["500m", "0.5", "2", "1.5", "512Mi", "4Gi", "1e3", "100Ki", "1k", "2M", "1G", ".5", "3Ti"]


@pytest.mark.parametrize("text", CASES)
def test_the_runtime_parser_agrees_with_the_config_models(text: str) -> None:
    assert quantities.parse(text) == pytest.approx(float(parse_quantity(text)))


@pytest.mark.parametrize("text", ["", "5 cores", "1.2.3", "Mi", "10mi"])
def test_both_parsers_refuse_the_same_text(text: str) -> None:
    with pytest.raises(ValueError, match="Kubernetes quantity"):
        quantities.parse(text)
    with pytest.raises(ValueError, match="Kubernetes quantity"):
        parse_quantity(text)


def test_quantities_are_rounded_up_and_written_as_people_do() -> None:
    assert quantities.cpu(0.0921) == "93m"
    assert quantities.cpu(2.0) == "2"
    assert quantities.cpu(1.25) == "1250m"
    assert quantities.cpu(0.0000001) == "1m"
    assert quantities.memory(393.2 * quantities.MIB) == "394Mi"
    assert quantities.memory(2048 * quantities.MIB) == "2Gi"
    assert quantities.memory(2560 * quantities.MIB) == "2560Mi"
    # Rounding never lands below the value (a limit below the peak would OOM).
    for value in (0.1234567, 1.0000001, 3.9999):
        assert quantities.parse(quantities.cpu(value)) >= value
        assert quantities.parse(quantities.memory(value * 1e9)) >= value * 1e9
