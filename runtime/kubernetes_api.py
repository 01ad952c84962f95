"""The one way the runtime connects to the Kubernetes API: the pod's ServiceAccount (token and
CA) in the cluster, or a plain URL given by flag (tests, kubectl proxy). The exporter's checks
and the right-sizing advisor's publishing both use it."""

from __future__ import annotations

from kubernetes import client, config

from runtime.errors import ConfigurationError


def api_client(api_url: str | None, option: str) -> client.ApiClient:
    """`option` names the flag and variable that would have given the URL, for the error."""
    if api_url is None:
        configuration = client.Configuration()
        try:
            # The loader is untyped upstream; it fills `configuration` in place.
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        except config.ConfigException as error:
            raise ConfigurationError(f"{option}: not set and not in a pod ({error})") from error
    else:
        configuration = client.Configuration(host=api_url)
    configuration.retries = False
    return client.ApiClient(configuration)
