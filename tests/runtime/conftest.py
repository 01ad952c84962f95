"""Fixtures shared by the runtime tests of every feature. Feature fixtures live in
tests/runtime/<feature>/conftest.py (backup/, exporter/); the forks tests start their fake AWX
per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.awx_api import FakeAwx


@pytest.fixture
def awx_rest() -> Iterator[FakeAwx]:
    """The fake AWX REST API (tests/fakes/awx_api.py) on loopback, empty but for its defaults."""
    with FakeAwx.running() as fake:
        yield fake
