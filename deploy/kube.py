"""The deploy's Kubernetes connection: the stack's kubeconfig (cluster.kubeconfig, else
$KUBECONFIG, else ~/.kube/config) and context, as the program's provider uses them, through the
runtime's one way of connecting (runtime/kubernetes_api.py)."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client

from deploy.errors import DeployError
from runtime.errors import ConfigurationError
from runtime.kubernetes_api import from_kubeconfig

SOURCE = "awx-platform:cluster.kubeconfig / cluster.context (else KUBECONFIG)"


def connect(kubeconfig: Path | None, context: str | None) -> client.ApiClient:
    if kubeconfig is not None and not kubeconfig.is_file():
        raise DeployError(f"kubeconfig {kubeconfig} does not exist ({SOURCE})")
    try:
        return from_kubeconfig(None if kubeconfig is None else str(kubeconfig), context, SOURCE)
    except ConfigurationError as error:
        raise DeployError(str(error)) from None
