"""What a backup store gives the pods that use it: environment, identity wiring, volumes."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.settings.backup import BackupSettings

StoreEnv = list[dict[str, Any]]
"""Container environment entries (Kubernetes spelling); values may be Pulumi outputs."""


@dataclass(frozen=True)
class StoreBinding:
    """How backup, restore and drill pods reach one store."""

    env: StoreEnv
    """BACKUP_STORAGE_TYPE, BACKUP_PREFIX and the store's own variables (and credentials)."""
    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Workload-identity annotations for the backup ServiceAccount."""
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels the pods need (Azure's workload identity webhook selects on one)."""
    volumes: Sequence[Mapping[str, Any]] = ()
    """Volumes the pods mount (the pvc store's volume)."""
    volume_mounts: Sequence[Mapping[str, Any]] = ()
    """Where the pods mount them."""


@dataclass(frozen=True)
class StoreArgs:
    """What every store needs to know."""

    settings: BackupSettings
    """The validated `backup` section."""
    namespace: pulumi.Input[str]
    """Namespace of AWX and the backup pods."""
    namespace_name: str
    """The same namespace as a plain string, for identity trust conditions."""
    service_account: str
    """Name of the backup pods' ServiceAccount (the identity the cloud role trusts)."""
    protect: bool
    """Protect what holds backups against `pulumi destroy` (awx.protect)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for Kubernetes objects; also the source of cloud tags."""


def common_env(settings: BackupSettings, prefix: str | None) -> StoreEnv:
    env: StoreEnv = [{"name": "BACKUP_STORAGE_TYPE", "value": settings.storage_type}]
    if prefix is not None:
        env.append({"name": "BACKUP_PREFIX", "value": prefix})
    return env


def cloud_tags(labels: Mapping[str, str]) -> dict[str, str]:
    """Tags for cloud resources: the stack labels without Kubernetes-only prefixes."""
    return {key.rsplit("/", 1)[-1]: value for key, value in labels.items()}
