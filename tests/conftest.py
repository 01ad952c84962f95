"""Fixtures every test layer may use: the local control plane (tests/services/cluster.py),
started on first use by a session that needs it and stopped by the session that started it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from tests.services.cluster import api, running_cluster


@pytest.fixture(scope="session")
def kubeconfig() -> Iterator[Path]:
    with running_cluster() as path:
        yield path


@pytest.fixture(scope="session")
def kube(kubeconfig: Path) -> client.ApiClient:
    return api(kubeconfig)
