"""The local control plane (scripts/cluster) for tests: started if it is not running, and
stopped at the end only by the session that started it.

Tests share one cluster per session; each test project deploys into namespaces of its own
(`isolated_namespaces`), so tests never see each other's objects.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from scripts.cluster import control, objects

T = TypeVar("T")


@contextmanager
def running_cluster() -> Iterator[Path]:
    """The admin kubeconfig of a ready cluster."""
    was_running = all(control.status()[name].startswith("running") for name in control.COMPONENTS)
    kubeconfig = control.start()
    try:
        yield kubeconfig
    finally:
        if not was_running:
            control.stop()


def api(kubeconfig: Path) -> client.ApiClient:
    return objects.api_client(kubeconfig)


def suffix() -> str:
    return uuid.uuid4().hex[:6]


def ensure_namespace(kube: client.ApiClient, name: str) -> None:
    core: Any = client.CoreV1Api(kube)
    try:
        core.create_namespace({"metadata": {"name": name}})
    except ApiException as error:
        if error.status != 409:
            raise


def can_i(
    kube: client.ApiClient, account: str, verb: str, resource: str, namespace: str, *,
    name: str | None = None, group: str = "",
) -> bool:  # fmt: skip
    """What `kubectl auth can-i --as=system:serviceaccount:NS:NAME` asks, for `account`
    given as NS/NAME: a SubjectAccessReview answered by the API server's authorizer."""
    account_namespace, account_name = account.split("/")
    attributes = {"namespace": namespace, "verb": verb, "resource": resource, "group": group}
    if name is not None:
        attributes["name"] = name
    authorization: Any = client.AuthorizationV1Api(kube)
    review = authorization.create_subject_access_review(
        {"spec": {"user": f"system:serviceaccount:{account_namespace}:{account_name}",
                  "groups": ["system:serviceaccounts",
                             f"system:serviceaccounts:{account_namespace}"],
                  "resourceAttributes": attributes}}
    )  # fmt: skip
    return bool(review.status.allowed)


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 90) -> T:
    """Poll `probe` until it returns something truthy; AssertionError naming `what` if not."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(1)


@dataclass(frozen=True)
class AccountConnection:
    """How a pod of `account` reaches the API server: its URL, CA and a token file."""

    url: str
    ca_file: Path
    token_file: Path

    def env(self, prefix: str) -> dict[str, str]:
        """The runtime's connection variables (runtime/kubernetes_api.py) under `prefix`."""
        return {
            f"{prefix}_KUBE_API_URL": self.url,
            f"{prefix}_KUBE_CA_FILE": str(self.ca_file),
            f"{prefix}_KUBE_TOKEN_FILE": str(self.token_file),
        }


def account_connection(
    kube: client.ApiClient, kubeconfig: Path, account: str, directory: Path
) -> AccountConnection:
    """A token for `account` (NS/NAME) from the TokenRequest API, as the kubelet gets one for
    a pod, so every call made with it goes through the real authorizer."""
    namespace, name = account.split("/")
    core: Any = client.CoreV1Api(kube)
    request = core.create_namespaced_service_account_token(
        name, namespace, {"spec": {"expirationSeconds": 3600}}
    )
    directory.mkdir(parents=True, exist_ok=True)
    token_file = directory / f"{namespace}-{name}.token"
    token_file.write_text(request.status.token)
    cluster = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]
    ca = Path(cluster["certificate-authority"])
    if not ca.is_absolute():
        ca = kubeconfig.parent / ca
    return AccountConnection(cluster["server"], ca, token_file)


@contextmanager
def account_with_role(
    kube: client.ApiClient,
    kubeconfig: Path,
    account: str,
    rules: list[dict[str, Any]],
    directory: Path,
) -> Iterator[AccountConnection]:
    """ServiceAccount `account` (NS/NAME) bound to a Role of its name with `rules`, and its
    token; all three removed afterwards."""
    namespace, name = account.split("/")
    core: Any = client.CoreV1Api(kube)
    rbac: Any = client.RbacAuthorizationV1Api(kube)
    core.create_namespaced_service_account(namespace, {"metadata": {"name": name}})
    rbac.create_namespaced_role(namespace, {"metadata": {"name": name}, "rules": rules})
    rbac.create_namespaced_role_binding(
        namespace,
        {
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        },
    )
    try:
        yield account_connection(kube, kubeconfig, account, directory)
    finally:
        rbac.delete_namespaced_role_binding(name, namespace)
        rbac.delete_namespaced_role(name, namespace)
        core.delete_namespaced_service_account(name, namespace)
