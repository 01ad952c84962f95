"""No secret values as literals in ConfigMaps or container environment variables."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
)

from .common import pod_containers, resource_policy

SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|webhook)", re.I
)
SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[abpr]-[0-9A-Za-z-]{10,}"
    r"|hooks\.slack\.com/services/|AGE-SECRET-KEY-1|gh[pousr]_[0-9A-Za-z]{30,})"
)


def _configmap_literals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "kubernetes:core/v1:ConfigMap":
        return
    for key, value in (args.props.get("data") or {}).items():
        if SECRET_VALUE.search(str(value)):
            report(f"ConfigMap key '{key}' holds what looks like a credential; use a Secret")
        elif SECRET_NAME.search(key) and str(value).strip():
            report(f"ConfigMap key '{key}' is named like a secret; use a Secret")


configmap_literals = resource_policy(
    "no-secrets-in-configmaps",
    "ConfigMaps hold no passwords, tokens, keys or webhook URLs.",
    _configmap_literals,
)


def _names_a_mounted_file(name: str, value: str, container: dict[str, Any]) -> bool:
    """`<NAME>_FILE=/path` inside one of the container's mounts: the path to a secret mounted
    as a file (the preferred way), not the secret itself."""
    mounts = [str(mount.get("mountPath", "")) for mount in container.get("volumeMounts") or []]
    return name.endswith("_FILE") and any(
        mount and value.startswith(mount.rstrip("/") + "/") for mount in mounts
    )


def _env_literals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for container in pod_containers(args):
        for variable in container.get("env") or []:
            value = variable.get("value")
            if value is None:
                continue
            name, text = str(variable.get("name")), str(value)
            named_like_one = bool(SECRET_NAME.search(name) and text)
            if SECRET_VALUE.search(text) or (
                named_like_one and not _names_a_mounted_file(name, text, container)
            ):
                report(
                    f"container '{container.get('name')}' sets {name} as a literal; "
                    "use valueFrom.secretKeyRef or a Secret mounted as a file (<NAME>_FILE)"
                )


env_literals = resource_policy(
    "no-secrets-in-env-values",
    "Secret-looking environment variables come from Secrets, never literals.",
    _env_literals,
)

POLICIES = [configmap_literals, env_literals]
