"""Real PostgreSQL and Redis, a fake AWX status API and a fake Kubernetes API for the exporter
tests (the AWX REST fake of the enforcer tests is tests/fakes/awx_api.py, started per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakes.awx_status import FakeAwx
from tests.fakes.kubernetes_api import FakeKubernetes, awx_resource
from tests.runtime.exporter.process import AWX_NAME, NAMESPACE, exporter_environment, healthy_pods
from tests.services.postgres import PostgresServer, running_postgres
from tests.services.redis_server import RedisServer, running_redis


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture
def awx() -> Iterator[FakeAwx]:
    fake = FakeAwx()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture
def kubernetes() -> Iterator[FakeKubernetes]:
    fake = FakeKubernetes(
        NAMESPACE, resources={AWX_NAME: awx_resource(AWX_NAME, NAMESPACE)}, pods=healthy_pods()
    )
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture
def base_environment(
    postgres: PostgresServer, awx: FakeAwx, kubernetes: FakeKubernetes
) -> Callable[..., dict[str, str]]:
    """The exporter's environment against the healthy services; keywords override variables."""

    def build(**overrides: str) -> dict[str, str]:
        return exporter_environment(
            postgres.environment(), awx.url, kubernetes.url, **{"AWX_TOKEN": awx.token, **overrides}
        )

    return build
