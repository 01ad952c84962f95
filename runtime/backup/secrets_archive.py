"""AWX's Secrets inside the backup: without secret_key, a restored database is worthless.

`--secrets-dir` holds one directory per Secret with one file per key (how Kubernetes mounts
a Secret volume; its hidden `..data` links are skipped). They travel as one JSON document,
compressed and encrypted exactly like the dump, and come back as Kubernetes Secrets only when
`restore --restore-secrets` asks for it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from runtime.errors import AwxRuntimeError, ConfigurationError

FORMAT_VERSION = 1


def collect(directory: str) -> bytes:
    root = Path(directory)
    if not root.is_dir():
        raise ConfigurationError(
            f"--secrets-dir / BACKUP_SECRETS_DIR: {directory} is not a directory"
        )
    secrets: dict[str, dict[str, str]] = {}
    for secret in sorted(root.iterdir()):
        if secret.name.startswith(".") or not secret.is_dir():
            continue
        secrets[secret.name] = {
            item.name: base64.b64encode(item.read_bytes()).decode()
            for item in sorted(secret.iterdir())
            if not item.name.startswith(".") and item.is_file()
        }
    return json.dumps({"format_version": FORMAT_VERSION, "secrets": secrets}).encode()


def parse(raw: bytes, what: str) -> dict[str, dict[str, str]]:
    """Secret name -> key -> base64 value."""
    try:
        document = json.loads(raw)
        secrets: dict[str, dict[str, str]] = document["secrets"]
    except (ValueError, KeyError, TypeError):
        raise AwxRuntimeError(f"{what} is not a secrets archive", "corrupt") from None
    return secrets


def restore_to_kubernetes(secrets: dict[str, dict[str, str]], namespace: str) -> list[str]:
    """Create or replace each Secret in `namespace`; returns their names."""
    # Imported only here: the client costs ~45 MB and two seconds, and only restores need it.
    from kubernetes import client, config  # noqa: PLC0415
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    try:
        config.load_incluster_config()  # type: ignore[no-untyped-call]
    except config.ConfigException:
        config.load_kube_config()  # type: ignore[no-untyped-call]
    api: Any = client.CoreV1Api()
    for name, data in secrets.items():
        body = client.V1Secret(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace), data=data
        )
        try:
            api.replace_namespaced_secret(name, namespace, body)
        except ApiException as failure:
            if failure.status != 404:
                raise AwxRuntimeError(
                    f"cannot write Secret {namespace}/{name}: {failure.status} {failure.reason}",
                    "kubernetes",
                ) from None
            api.create_namespaced_secret(namespace, body)
    return sorted(secrets)
