"""The stack's validated config, as the program sees it, and what the deploy derives from it.

The config is read through the Automation API (the stack file plus the backend's settings) and
validated by the same models the program uses (components/config.py), so a bad key fails the
deploy before anything changes, naming the key path. Secret sections are dropped unread: the
deploy needs none of them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from components.config import (
    NAMESPACE,
    SECRET_SECTIONS,
    ConfigError,
    StackConfig,
    validate_stack_config,
)
from deploy.errors import DeployError


def parse_config(values: dict[str, auto.ConfigValue]) -> dict[str, Any]:
    """`pulumi config --json` values (objects as JSON text) -> {section: object}."""
    prefix = f"{NAMESPACE}:"
    raw: dict[str, Any] = {}
    for key, value in values.items():
        if not key.startswith(prefix):
            continue
        section = key[len(prefix) :]
        if section in SECRET_SECTIONS:
            continue
        try:
            raw[section] = json.loads(value.value)
        except (TypeError, ValueError):
            raw[section] = value.value
    return raw


def validate(raw: dict[str, Any], stack: str) -> StackConfig:
    try:
        return validate_stack_config(raw)
    except ConfigError as error:
        raise DeployError(f"stack {stack}: {error}") from None


@dataclass(frozen=True)
class StackTarget:
    stack: str
    config: StackConfig
    work_dir: Path

    def __post_init__(self) -> None:
        if self.config.cluster.render_directory is not None:
            raise DeployError(
                f"{NAMESPACE}:cluster.render_directory is set for stack {self.stack}: a guarded "
                "deploy needs a cluster to gate on"
            )

    @property
    def namespaces(self) -> list[str]:
        """Where the platform's objects live: AWX, its job pods, and the monitoring stack."""
        config = self.config
        found = [
            config.awx.namespace,
            config.autoscaling.job_pod.namespace_for(config.awx.namespace),
        ]
        if config.monitoring.enabled:
            found.append(config.monitoring.namespace)
        return list(dict.fromkeys(found))

    @property
    def kubeconfig(self) -> Path | None:
        """cluster.kubeconfig (relative to the project directory) else $KUBECONFIG, else the
        client's default (~/.kube/config)."""
        configured = self.config.cluster.kubeconfig
        if configured is not None:
            path = Path(configured).expanduser()
            return path if path.is_absolute() else self.work_dir / path
        from_env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
        return Path(from_env) if from_env else None
