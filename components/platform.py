"""AwxPlatform: the top-level component that wires every feature of the platform together.

The only module that knows every feature (components/awx, autoscaling, backup, monitoring);
each is one import away and receives from here what it needs of the others.
"""

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
from pydantic import SecretStr

from components.autoscaling import (
    ForkEnforcer,
    ForkEnforcerArgs,
    TaskAutoscaling,
    TaskAutoscalingArgs,
    awx_fork_settings,
)
from components.awx import AwxDeployment, AwxDeploymentArgs
from components.backup import AwxBackup, BackupStore, create_backups
from components.config import StackConfig
from components.monitoring import (
    AwxMonitoring,
    AwxMonitoringArgs,
    monitoring_targets,
    object_storage_ports,
)
from components.pods import skip_rollout_await
from components.rightsizing import AwxRightsizing, AwxRightsizingArgs


@dataclass(frozen=True)
class AwxPlatformArgs:
    config: StackConfig
    """The validated stack configuration."""
    stack: str
    """Name of the Pulumi stack, recorded in labels."""


class AwxPlatform(pulumi.ComponentResource):
    """AWX on Kubernetes, deployed into the configured cluster or rendered to manifests."""

    awx: AwxDeployment
    """The AWX deployment."""
    autoscaling: TaskAutoscaling
    """Task-pod scaling, disruption budgets and the job pods' namespace."""
    fork_enforcer: ForkEnforcer | None
    """The fork-limit enforcer, unless autoscaling.enforcer.enabled is false."""
    backup_store: BackupStore | None
    """Where backups are kept (None when backups are disabled)."""
    backup: AwxBackup | None
    """The backup, restore and restore drill jobs (None when backups are disabled)."""
    monitoring: AwxMonitoring | None
    """Scraping, rules, dashboards and routing (None when monitoring.enabled is false)."""
    rightsizing: AwxRightsizing | None
    """The weekly right-sizing advisor (None unless rightsizing.enabled)."""

    def __init__(
        self, name: str, args: AwxPlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        config = args.config
        if config.deploy.rollouts_awaited_by == "gates":
            # The guarded deploy's Deployment gate waits for rollouts (bounded, reported per
            # Deployment) instead of the provider; a component's transformations reach every
            # resource below it.
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[skip_rollout_await])
            )
        super().__init__("awx-platform:platform:AwxPlatform", name, None, opts)
        provider = self._kubernetes_provider(name, config)
        labels = {
            "app.kubernetes.io/part-of": "awx-platform",
            "app.kubernetes.io/managed-by": "pulumi",
            "awx-platform/stack": args.stack,
            # The policy pack holds stacks labelled production to the production rules.
            "awx-platform/environment": config.policy.environment,
        }
        self.awx = AwxDeployment(
            f"{name}-awx",
            AwxDeploymentArgs(
                settings=config.awx,
                autoscaling=config.autoscaling,
                fork_settings=awx_fork_settings(
                    config.autoscaling, config.awx.namespace, config.awx.placement.job_pods.spot
                ),
                admin_password=_secret_output(config.secrets.admin_password),
                secret_key=_secret_output(config.secrets.secret_key),
                labels=labels,
            ),
            opts=pulumi.ResourceOptions(parent=self, providers=[provider]),
        )
        child = pulumi.ResourceOptions(parent=self, providers=[provider])
        self.autoscaling = TaskAutoscaling(
            f"{name}-autoscaling",
            TaskAutoscalingArgs(
                settings=config.autoscaling,
                awx_settings=config.awx,
                monitoring=config.monitoring,
                awx=self.awx,
                labels=labels,
            ),
            opts=child,
        )
        self.fork_enforcer = None
        if config.autoscaling.enforcer.enabled:
            self.fork_enforcer = ForkEnforcer(
                f"{name}-fork-enforcer",
                ForkEnforcerArgs(
                    settings=config.autoscaling,
                    awx_settings=config.awx,
                    runtime=config.runtime,
                    awx=self.awx,
                    labels=labels,
                ),
                opts=child,
            )
        self.backup_store, self.backup = None, None
        if config.backup.enabled:
            self.backup_store, self.backup = create_backups(
                f"{name}-backup",
                config,
                self.awx,
                labels,
                child,
            )
        self.monitoring = None
        if config.monitoring.enabled:
            self.monitoring = AwxMonitoring(
                f"{name}-monitoring",
                AwxMonitoringArgs(
                    settings=config.monitoring,
                    secrets=config.secrets,
                    runtime=config.runtime,
                    awx=self.awx,
                    targets=monitoring_targets(config),
                    enforcer_selector=(
                        None if self.fork_enforcer is None else self.fork_enforcer.selector
                    ),
                    object_storage_ports=object_storage_ports(config.backup),
                    labels=labels,
                ),
                opts=child,
            )
        self.rightsizing = None
        prometheus = config.autoscaling.prometheus_url or config.monitoring.prometheus_url
        if config.rightsizing.enabled and prometheus is not None:
            self.rightsizing = AwxRightsizing(
                f"{name}-rightsizing",
                AwxRightsizingArgs(
                    settings=config.rightsizing,
                    awx_settings=config.awx,
                    autoscaling=config.autoscaling,
                    runtime=config.runtime,
                    awx=self.awx,
                    prometheus_url=prometheus,
                    pushgateway_url=config.monitoring.pushgateway_url,
                    labels=labels,
                ),
                opts=child,
            )
        self.register_outputs(
            {
                "awx": self.awx,
                "autoscaling": self.autoscaling,
                "fork_enforcer": self.fork_enforcer,
                "backup": self.backup,
                "monitoring": self.monitoring,
                "rightsizing": self.rightsizing,
            }
        )

    def _kubernetes_provider(self, name: str, config: StackConfig) -> k8s.Provider:
        cluster = config.cluster
        return k8s.Provider(
            f"{name}-kubernetes",
            render_yaml_to_directory=cluster.render_directory,
            kubeconfig=cluster.kubeconfig,
            context=cluster.context,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _secret_output(value: SecretStr | None) -> pulumi.Output[str] | None:
    return None if value is None else pulumi.Output.secret(value.get_secret_value())
