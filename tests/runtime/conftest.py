"""Real PostgreSQL and Redis, a fake AWX API and a fake Kubernetes API for the exporter tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakes.awx_status import FakeAwx
from tests.fakes.kubernetes_api import FakeKubernetes, awx_resource, pod
from tests.runtime.exporter_process import AWX_NAME, NAMESPACE, exporter_environment
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


def healthy_pods() -> list[dict[str, object]]:
    return [
        pod(AWX_NAME, NAMESPACE, "web", 0),
        pod(AWX_NAME, NAMESPACE, "task", 0),
        pod(AWX_NAME, NAMESPACE, "task", 1),
        pod(AWX_NAME, NAMESPACE, "postgres-15", 0),
    ]


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


# Backup store fixtures (store_env per kind on real emulators), shared by the backup tests.
# Backup command tests (issue 4): their fixtures live in their own module.
from tests.runtime.backup_fixtures import (  # noqa: E402
    aes_key_file,
    age_keys,
    backup_source,
    other_age_keys,
    pushgateway,
    restore_target,
    runner,
    secrets_dir,
)
from tests.runtime.backup_stores import emulators, store_env  # noqa: E402, F401

__all__ = [
    "aes_key_file",
    "age_keys",
    "backup_source",
    "other_age_keys",
    "pushgateway",
    "restore_target",
    "runner",
    "secrets_dir",
]
