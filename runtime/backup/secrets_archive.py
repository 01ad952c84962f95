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
from runtime.kubernetes_api import Connection, connect

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


def kubernetes_api(connection: Connection) -> Any:
    """A CoreV1Api on `connection` (runtime/kubernetes_api.py: flag, ServiceAccount, KUBECONFIG).

    Called before the database is touched, so a restore that cannot write the Secrets fails
    on its settings first.
    """
    # Imported only here: the client costs ~45 MB and two seconds, and only restores need it.
    from kubernetes import client  # noqa: PLC0415

    try:
        return client.CoreV1Api(connect(connection))
    except ConfigurationError as error:
        raise ConfigurationError(f"--restore-secrets: no Kubernetes API: {error}") from None


def restore_to_kubernetes(
    api: Any, secrets: dict[str, dict[str, str]], namespace: str
) -> list[str]:
    """Create each Secret in `namespace`, replacing one that exists; returns their names."""
    from kubernetes import client  # noqa: PLC0415
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415
    from urllib3.exceptions import HTTPError  # noqa: PLC0415

    for name, data in secrets.items():
        body = client.V1Secret(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace), type="Opaque", data=data
        )
        try:
            try:
                api.create_namespaced_secret(namespace, body)
            except ApiException as failure:
                if failure.status != 409:
                    raise
                # It exists (AWX or the operator made it): the backup's values win.
                api.replace_namespaced_secret(name, namespace, body)
        except ApiException as failure:
            raise AwxRuntimeError(
                f"cannot write Secret {namespace}/{name}: {failure.status} {failure.reason}"
                f"{_api_message(failure.body)}",
                "kubernetes",
            ) from None
        except HTTPError as failure:
            raise AwxRuntimeError(
                f"cannot write Secret {namespace}/{name}: Kubernetes API unreachable: "
                f"{type(failure).__name__}",
                "kubernetes",
            ) from None
    return sorted(secrets)


def _api_message(body: Any) -> str:
    """The Status message of an API error (never the request, which holds the values)."""
    try:
        message = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return ""
    return f": {message}" if isinstance(message, str) and message else ""
