"""The local stack deployed into namespaces of its own for the duration of a test module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kubernetes import client

from tests.engine import EngineProject, Namespaces
from tests.services.cluster import ensure_namespace, suffix


@contextmanager
def deployment_of(
    directory: Path, kubeconfig: Path, kube: client.ApiClient, **config: str
) -> Iterator[Namespaces]:
    project = EngineProject.create(directory)
    namespaces = project.target_cluster(kubeconfig, suffix())
    ensure_namespace(kube, namespaces.monitoring)
    for path, value in config.items():
        project.set_config(path, value)
    project.up()
    try:
        yield namespaces
    finally:
        project.pulumi("destroy", "--yes")
