"""One generated history, backfilled once (cached), served by one Prometheus per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.runtime.rightsizing.history import History, Parameters, generate
from tests.runtime.rightsizing.prometheus_server import blocks, running_prometheus


@pytest.fixture(scope="session")
def history() -> History:
    return generate(Parameters())


@pytest.fixture(scope="session")
def prometheus_url(history: History) -> Iterator[str]:
    with running_prometheus(blocks(history)) as url:
        yield url
