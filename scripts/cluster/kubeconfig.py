"""kubeconfig files for the cluster's clients: the admin's, and each component's own."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from scripts.cluster.pki import Identity, Pki


def write(path: Path, server: str, pki: Pki, identity: Identity) -> None:
    """A kubeconfig for `identity` whose files are referenced by absolute path."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "awx-platform-local",
                "cluster": {"server": server, "certificate-authority": str(pki.ca_cert)},
            }
        ],
        "users": [
            {
                "name": identity.user,
                "user": {
                    "client-certificate": str(pki.client_cert(identity)),
                    "client-key": str(pki.client_key(identity)),
                },
            }
        ],
        "contexts": [
            {
                "name": "awx-platform-local",
                "context": {"cluster": "awx-platform-local", "user": identity.user},
            }
        ],
        "current-context": "awx-platform-local",
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
