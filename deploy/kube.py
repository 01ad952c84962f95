"""The deploy's Kubernetes connection: the stack's kubeconfig (cluster.kubeconfig, else
$KUBECONFIG, else ~/.kube/config) and context, as the program's provider uses them."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client, config

from deploy.errors import DeployError


def connect(kubeconfig: Path | None, context: str | None) -> client.ApiClient:
    if kubeconfig is not None and not kubeconfig.is_file():
        raise DeployError(
            f"kubeconfig {kubeconfig} does not exist (cluster.kubeconfig / KUBECONFIG)"
        )
    try:
        # The loader is untyped upstream.
        api: client.ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=None if kubeconfig is None else str(kubeconfig), context=context
        )
    except (config.ConfigException, OSError) as error:
        where = kubeconfig or "the default kubeconfig"
        raise DeployError(f"cannot use {where} (context {context or 'current'}): {error}") from None
    api.configuration.retries = False
    return api
