"""The one way the runtime connects to the Kubernetes API, for every command group:

1. `--kube-api-url` (with `--kube-token-file` and `--kube-ca-file` when the server wants them):
   an explicit server, e.g. a ServiceAccount token requested for a test or an operator's
   `kubectl proxy`;
2. else the pod's own ServiceAccount (token and CA mounted by the kubelet);
3. else KUBECONFIG (default ~/.kube/config), for an operator running the command by hand.

Each group declares the three options under its own variable prefix (EXPORTER_, RIGHTSIZE_,
BACKUP_, FORKS_) with `connection_options`, resolves them with its settings
(`connection_from`) and connects with `connect`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.errors import ConfigurationError
from runtime.options import Option, OptionValues

if TYPE_CHECKING:
    from kubernetes import client

URL, TOKEN_FILE, CA_FILE = "kube_api_url", "kube_token_file", "kube_ca_file"


def connection_options(prefix: str, purpose: str) -> tuple[Option, ...]:
    """The three connection options, their variables named `<prefix>_KUBE_...`."""
    return (
        Option(
            URL,
            "--kube-api-url",
            f"{prefix}_KUBE_API_URL",
            f"Kubernetes API server ({purpose}); empty: the pod's ServiceAccount, else KUBECONFIG",
            "",
        ),
        Option(
            TOKEN_FILE,
            "--kube-token-file",
            f"{prefix}_KUBE_TOKEN_FILE",
            "file with the bearer token for --kube-api-url; empty: none",
            "",
        ),
        Option(
            CA_FILE,
            "--kube-ca-file",
            f"{prefix}_KUBE_CA_FILE",
            "CA bundle the --kube-api-url server is verified against; empty: the system's",
            "",
        ),
    )


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect, resolved (and checked) with the command's settings."""

    url: str | None
    token: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    option: str = "--kube-api-url"
    """The flag and variable of the URL, for errors."""


def connection_from(values: OptionValues) -> Connection:
    """The options `connection_options` declared, resolved in `values` and checked."""
    url = values.optional(URL)
    if url is not None and not url.startswith(("http://", "https://")):
        raise values.error(URL, f"{url!r} is not an http(s) URL")
    return Connection(
        url=url.rstrip("/") if url else None,
        token=values.secret(TOKEN_FILE, None),
        ca_file=values.existing_file(CA_FILE),
        option=values.names(URL),
    )


def connect(connection: Connection) -> client.ApiClient:
    # Imported here: the client costs ~45 MB and two seconds, and settings are read by
    # commands that may never connect (a dry run, a backup without Events).
    from kubernetes import client  # noqa: PLC0415

    if connection.url is None:
        return _ambient(connection.option)
    configuration = client.Configuration(host=connection.url)
    if connection.token is not None:
        configuration.api_key = {"authorization": connection.token}
        configuration.api_key_prefix = {"authorization": "Bearer"}
    if connection.ca_file is not None:
        configuration.ssl_ca_cert = connection.ca_file
    return _client(configuration)


def _ambient(option: str) -> client.ApiClient:
    """The pod's ServiceAccount, else KUBECONFIG; `option` names the URL's flag and variable."""
    from kubernetes import client, config  # noqa: PLC0415

    configuration = client.Configuration()
    try:
        # The loaders are untyped upstream; they fill `configuration` in place.
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        return _client(configuration)
    except config.ConfigException:
        pass
    kubeconfig = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    try:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig, client_configuration=configuration
        )
    except (config.ConfigException, OSError) as error:
        raise ConfigurationError(
            f"{option}: not set, not in a pod, and no usable kubeconfig at {kubeconfig} ({error})"
        ) from None
    return _client(configuration)


def from_kubeconfig(path: str | None, context: str | None, what: str) -> client.ApiClient:
    """A kubeconfig file (None: $KUBECONFIG, else ~/.kube/config) and context (None: its
    current one), for tools an operator or CI runs outside the cluster (the guarded deploy
    connects as the stack's `cluster.kubeconfig` and `cluster.context` say); `what` names
    where the two came from, for the error."""
    from kubernetes import client, config  # noqa: PLC0415

    kubeconfig = path or os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    configuration = client.Configuration()
    try:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig, context=context, client_configuration=configuration
        )
    except (config.ConfigException, OSError) as error:
        raise ConfigurationError(
            f"{what}: no usable kubeconfig at {kubeconfig} (context {context or 'current'}: "
            f"{error})"
        ) from None
    return _client(configuration)


def _client(configuration: client.Configuration) -> client.ApiClient:
    from kubernetes import client  # noqa: PLC0415

    # Callers retry (or give up) themselves: the client's own retries hide a dead server.
    configuration.retries = False
    return client.ApiClient(configuration)
