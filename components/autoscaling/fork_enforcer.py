"""ForkEnforcer: the Deployment that keeps AWX's fork limits at their declared values.

It runs `awx-runtime forks enforce` next to AWX: MAX_FORKS, the `default`
instance group's max_forks and max_concurrent_jobs, and no job template above the fork cap.
Names, port and labels follow the monitoring contract: Deployment and Service
`<awx>-fork-enforcer`, label `app.kubernetes.io/name: awx-fork-enforcer`, port 9181 `metrics`.

It talks to AWX's API and, to Kubernetes', only to record a `ForkLimitCorrected` Event on
the AWX resource for each drift it corrects (components/events_rbac.py: its account may do
nothing else). It authenticates with an AWX token Secret when one is configured, else as the
admin user with the admin password Secret the operator uses.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.events_rbac import event_recorder_role, recorder_env
from components.pods import (
    DAEMON_RESOURCES,
    AwxTarget,
    SecretFile,
    env_values,
    metrics_service_spec,
    runtime_container,
    runtime_pod_spec,
    single_pod_deployment_spec,
)
from components.settings.autoscaling import ENFORCER_METRICS_PORT as METRICS_PORT
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings
from components.settings.runtime import RuntimeSettings

COMPONENT = "awx-fork-enforcer"


@dataclass(frozen=True)
class ForkEnforcerArgs:
    settings: AutoscalingSettings
    """The `autoscaling` section: the fork limits to keep and the enforcer's own settings."""
    awx_settings: AwxSettings
    """The `awx` section: the admin user to authenticate as."""
    runtime: RuntimeSettings
    """The awx-runtime image."""
    awx: AwxTarget
    """The AWX deployment whose API is kept at the limits."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class ForkEnforcer(pulumi.ComponentResource):
    """`awx-runtime forks enforce` as a one-pod Deployment with a metrics Service."""

    deployment_name: pulumi.Output[str]
    """The enforcer's Deployment (`<awx>-fork-enforcer`)."""
    service_name: pulumi.Output[str]
    """Service that exposes its metrics on port 9181 (`metrics`)."""
    selector: dict[str, pulumi.Input[str]]
    """Labels of its pods and Service (what the monitoring feature scrapes)."""

    def __init__(
        self, name: str, args: ForkEnforcerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:fork_enforcer:ForkEnforcer", name, None, opts)
        awx = args.awx
        object_name = f"{args.awx_settings.name}-fork-enforcer"
        selector: dict[str, pulumi.Input[str]] = {
            "app.kubernetes.io/name": COMPONENT,
            "app.kubernetes.io/instance": awx.instance_name,
        }
        self.selector = selector
        labels = {**args.labels, **selector}
        metadata = {"name": object_name, "namespace": awx.namespace, "labels": labels}
        child = pulumi.ResourceOptions(parent=self)
        account = k8s.core.v1.ServiceAccount(f"{name}-account", metadata=metadata, opts=child)
        events = event_recorder_role(
            name, {**metadata, "name": f"{object_name}-events"}, object_name, self, [account]
        )
        credential = self._credential(args)
        pod = runtime_pod_spec(
            [self._container(args, credential)],
            service_account=object_name,
            volumes=[credential.volume_spec()],
        )
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=metadata,
            # One pass at a time is enough; a second replica would only repeat it.
            spec=single_pod_deployment_spec(selector, labels, pod),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account, events]),
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=metadata,
            spec=metrics_service_spec(selector, METRICS_PORT),
            opts=child,
        )
        self.deployment_name = deployment.metadata.apply(lambda m: str(m.name))
        self.service_name = service.metadata.apply(lambda m: str(m.name))
        self.register_outputs(
            {"deployment_name": self.deployment_name, "service_name": self.service_name}
        )

    @staticmethod
    def _credential(args: ForkEnforcerArgs) -> SecretFile:
        """An AWX token when one is configured, else the admin password the operator uses."""
        token = args.settings.enforcer.token_secret
        if token is not None:
            return SecretFile("awx-token", token, "token")
        return SecretFile("awx-password", args.awx.admin_password_secret_name, "password")

    @staticmethod
    def _container(args: ForkEnforcerArgs, credential: SecretFile) -> dict[str, object]:
        settings, enforcer, awx = args.settings, args.settings.enforcer, args.awx
        command = ["forks", "enforce", "--interval", str(enforcer.interval_seconds)]
        if enforcer.dry_run:
            command.append("--dry-run")
        env: list[Mapping[str, object]] = [
            *recorder_env(in_job=False),
            {"name": "AWX_API_URL", "value": awx.api_url},
            {"name": "AWX_DEPLOYMENT_NAME", "value": awx.instance_name},
            {"name": "AWX_NAMESPACE", "value": awx.namespace},
            *env_values(
                {
                    "AWX_MAX_FORKS": str(settings.max_forks_per_task),
                    "AWX_INSTANCE_GROUPS": (
                        f"default={settings.max_total_forks}:{settings.max_concurrent_jobs}"
                    ),
                    "METRICS_PORT": str(METRICS_PORT),
                }
            ),
        ]
        if enforcer.token_secret is not None:
            env.append(credential.env("AWX_TOKEN_FILE"))
        else:
            env.extend(env_values({"AWX_USERNAME": args.awx_settings.admin_user}))
            env.append(credential.env("AWX_PASSWORD_FILE"))
        probe = {"httpGet": {"path": "/healthz", "port": "metrics"}, "periodSeconds": 30}
        return runtime_container(
            "fork-enforcer",
            args.runtime,
            args=command,
            resources=DAEMON_RESOURCES,
            env=env,
            volume_mounts=[credential.mount()],
            ports=[{"name": "metrics", "containerPort": METRICS_PORT}],
            # Healthy while passes keep completing (failed passes included): docs/autoscaling.md.
            livenessProbe={**probe, "failureThreshold": 3},
            readinessProbe={
                "httpGet": {"path": "/metrics", "port": "metrics"},
                "periodSeconds": 30,
            },
        )
