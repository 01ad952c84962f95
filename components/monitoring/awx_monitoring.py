"""AwxMonitoring: the Prometheus stack (installed or attached), scraping, rules, dashboards,
alert routing, exporters and the AWX namespace's NetworkPolicies.

Installed: kube-prometheus-stack is a Helm release named `monitoring.release_label` in
`monitoring.namespace`. Attached: an existing stack whose Prometheus selects by that same
`release` label. Either way every ServiceMonitor and the PrometheusRule carry the label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.monitoring import (
    alertmanager,
    network_policies,
    prometheus_stack,
    upstream_exporters,
)
from components.monitoring.dashboards import dashboards
from components.monitoring.platform_exporter import ExporterTarget, deploy_exporter
from components.monitoring.rules import default_slos, rule_groups
from components.monitoring.servicemonitors import API_VERSION, Scrape, service_monitor_spec
from components.monitoring.targets import (
    JOB_AWX,
    JOB_ENFORCER,
    JOB_EXPORTER,
    JOB_POSTGRES_EXPORTER,
    JOB_PUSHGATEWAY,
    JOB_REDIS_EXPORTER,
    MonitoringTargets,
)
from components.monitoring.upstream_exporters import deploy_workload
from components.pods import AwxTarget
from components.settings.monitoring import MonitoringSettings, Slo
from components.settings.runtime import RuntimeSettings
from components.settings.secrets import SecretSettings

DASHBOARD_FOLDER = "AWX"


@dataclass(frozen=True)
class AwxMonitoringArgs:
    settings: MonitoringSettings
    """The `monitoring` section."""
    secrets: SecretSettings
    """The `secrets` section: Grafana password, PagerDuty key, Slack webhook, AWX token."""
    runtime: RuntimeSettings
    """The awx-runtime image the exporter runs."""
    awx: AwxTarget
    """The AWX deployment to watch."""
    targets: MonitoringTargets
    """What rules and dashboards watch."""
    enforcer_selector: Mapping[str, pulumi.Input[str]] | None = None
    """Labels of the fork enforcer's Service, when it runs."""
    object_storage_ports: tuple[int, ...] = (443,)
    """Ports backup pods reach object storage on."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class AwxMonitoring(pulumi.ComponentResource):
    """Monitoring of one AWX deployment."""

    release_label: pulumi.Output[str]
    """The `release` label Prometheus selects this deployment's monitors and rules by."""
    pushgateway_url: pulumi.Output[str]
    """Where batch jobs push their metrics."""
    grafana_admin_secret: pulumi.Output[str] | None
    """Secret with Grafana's admin credentials (installed stack with Grafana only)."""

    def __init__(
        self, name: str, args: AwxMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:monitoring:AwxMonitoring", name, None, opts)
        self._name = name
        self._args = args
        settings = args.settings
        self._labels = dict(args.labels)
        self._monitor_labels = {**self._labels, "release": settings.release_label}
        self.grafana_admin_secret = None
        self._stack: list[pulumi.Resource] = []
        if settings.install_stack:
            self._stack = self._install_stack()
        self._awx_namespace = args.awx.namespace
        token_secret = self._token_secret()
        self._create_pushgateway()
        self._create_exporters(token_secret)
        self._create_awx_scrape(token_secret)
        if args.enforcer_selector is not None:
            self._service_monitor(
                "enforcer",
                Scrape(JOB_ENFORCER, args.enforcer_selector, "metrics"),
                self._awx_namespace,
            )
        self._create_rules()
        self._create_dashboards()
        if settings.network_policies.enabled:
            self._create_network_policies()
        self.release_label = pulumi.Output.from_input(settings.release_label)
        self.pushgateway_url = pulumi.Output.from_input(settings.pushgateway_url or "")
        outputs: dict[str, object] = {
            "release_label": self.release_label,
            "pushgateway_url": self.pushgateway_url,
        }
        if self.grafana_admin_secret is not None:
            outputs["grafana_admin_secret"] = self.grafana_admin_secret
        self.register_outputs(outputs)

    def _child(self, after_stack: bool = False) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self, depends_on=list(self._stack) if after_stack else None
        )

    def _metadata(self, name: str, namespace: pulumi.Input[str]) -> dict[str, object]:
        return {"name": name, "namespace": namespace, "labels": self._labels}

    def _install_stack(self) -> list[pulumi.Resource]:
        settings, secrets = self._args.settings, self._args.secrets
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-namespace",
            metadata={"name": settings.namespace, "labels": self._labels},
            opts=pulumi.ResourceOptions.merge(
                self._child(), pulumi.ResourceOptions(protect=settings.protect)
            ),
        )
        after_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        created: list[pulumi.Resource] = [namespace]
        if settings.grafana.enabled and settings.grafana.admin_password_secret is None:
            configured = secrets.grafana_admin_password
            password: pulumi.Input[str]
            if configured is not None:
                password = configured.get_secret_value()
            else:
                password = random.RandomPassword(
                    f"{self._name}-grafana-admin-password",
                    length=32,
                    special=False,
                    opts=self._child(),
                ).result
            grafana = k8s.core.v1.Secret(
                f"{self._name}-grafana-admin",
                metadata=self._metadata(
                    prometheus_stack.grafana_secret_name(settings), settings.namespace
                ),
                string_data={
                    prometheus_stack.GRAFANA_USER_KEY: "admin",
                    prometheus_stack.GRAFANA_PASSWORD_KEY: pulumi.Output.secret(password),
                },
                opts=after_namespace,
            )
            created.append(grafana)
            self.grafana_admin_secret = pulumi.Output.from_input(
                prometheus_stack.grafana_secret_name(settings)
            )
        config = alertmanager.render(
            settings.alerting,
            alertmanager.Destinations(
                pagerduty_routing_key=_plain(secrets.pagerduty_routing_key),
                slack_webhook_url=_plain(secrets.slack_webhook_url),
            ),
        )
        created.append(
            k8s.core.v1.Secret(
                f"{self._name}-alertmanager-config",
                metadata=self._metadata(
                    prometheus_stack.alertmanager_secret_name(settings), settings.namespace
                ),
                string_data={alertmanager.CONFIG_KEY: pulumi.Output.secret(config)},
                opts=after_namespace,
            )
        )
        release = k8s.helm.v3.Release(
            f"{self._name}-stack",
            name=settings.release_label,
            chart=prometheus_stack.CHART,
            version=settings.chart_version,
            repository_opts={"repo": settings.chart_repository},
            namespace=settings.namespace,
            values=prometheus_stack.chart_values(settings),
            opts=pulumi.ResourceOptions(parent=self, depends_on=created),
        )
        return [*created, release]

    def _service_monitor(
        self, suffix: str, scrape: Scrape, namespace: pulumi.Input[str]
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{self._name}-{suffix}-monitor",
            api_version=API_VERSION,
            kind="ServiceMonitor",
            metadata={
                "name": f"{self._args.targets.instance}-{suffix}",
                "namespace": namespace,
                "labels": self._monitor_labels,
            },
            spec=service_monitor_spec(scrape),
            opts=self._child(after_stack=True),
        )

    def _create_pushgateway(self) -> None:
        settings = self._args.settings
        deployed = deploy_workload(
            f"{self._name}-pushgateway",
            upstream_exporters.pushgateway(settings.exporters),
            settings.namespace,
            self._labels,
            self._child(after_stack=True),
        )
        scrape = Scrape(JOB_PUSHGATEWAY, deployed.selector, "metrics", honor_labels=True)
        self._service_monitor("pushgateway", scrape, settings.namespace)

    def _create_exporters(self, token_secret: pulumi.Input[str] | None) -> None:
        args, settings = self._args, self._args.settings.exporters
        instance = args.targets.instance
        child = self._child()
        exporter = deploy_exporter(
            f"{self._name}-exporter",
            ExporterTarget(
                instance=instance,
                namespace=self._awx_namespace,
                api_url=args.awx.api_url,
                postgres_secret=args.awx.postgres_configuration_secret_name,
                token_secret=token_secret,
                redis_address=settings.redis_address,
            ),
            args.runtime,
            self._labels,
            child,
        )
        self._service_monitor(
            "exporter", Scrape(JOB_EXPORTER, exporter.selector, "metrics"), self._awx_namespace
        )
        if settings.postgres:
            plan = upstream_exporters.postgres_exporter(
                f"{instance}-postgres-exporter",
                settings,
                args.awx.postgres_configuration_secret_name,
            )
            deployed = deploy_workload(
                f"{self._name}-postgres-exporter", plan, self._awx_namespace, self._labels, child
            )
            self._service_monitor(
                "postgres-exporter",
                Scrape(JOB_POSTGRES_EXPORTER, deployed.selector, "metrics"),
                self._awx_namespace,
            )
        if settings.redis_address is not None:
            deployed = deploy_workload(
                f"{self._name}-redis-exporter",
                upstream_exporters.redis_exporter(
                    f"{instance}-redis-exporter", settings.redis_address, settings
                ),
                self._awx_namespace,
                self._labels,
                child,
            )
            self._service_monitor(
                "redis-exporter",
                Scrape(JOB_REDIS_EXPORTER, deployed.selector, "metrics"),
                self._awx_namespace,
            )

    def _token_secret(self) -> pulumi.Input[str] | None:
        """The Secret (key `token`) with AWX's metrics token, created from secrets when set."""
        args = self._args
        existing = args.settings.exporters.awx_token_secret
        if existing is not None:
            return existing
        token = args.secrets.awx_metrics_token
        if token is None:
            return None
        secret_name = f"{args.targets.instance}-metrics-token"
        secret = k8s.core.v1.Secret(
            f"{self._name}-metrics-token",
            metadata=self._metadata(secret_name, self._awx_namespace),
            string_data={"token": pulumi.Output.secret(token.get_secret_value())},
            opts=self._child(),
        )
        return secret.metadata.apply(lambda metadata: str(metadata.name))

    def _create_awx_scrape(self, token_secret: pulumi.Input[str] | None) -> None:
        args = self._args
        if token_secret is None:
            # Never scrape AWX anonymously: without a token there is no AWX ServiceMonitor and
            # AWXMetricsAbsent says so.
            pulumi.log.warn(
                "monitoring: no AWX metrics token (secrets.awx_metrics_token or "
                "monitoring.exporters.awx_token_secret); /api/v2/metrics/ is not scraped",
                resource=self,
            )
            return
        selector = {
            "app.kubernetes.io/name": args.targets.instance,
            "app.kubernetes.io/component": "awx",
            "app.kubernetes.io/managed-by": "awx-operator",
        }
        self._service_monitor(
            "api",
            Scrape(
                JOB_AWX,
                selector,
                "http",
                path="/api/v2/metrics/",
                bearer_token_secret=token_secret,
                interval="60s",
            ),
            self._awx_namespace,
        )

    def _create_rules(self) -> None:
        targets = self._args.targets
        slos = effective_slos(self._args.settings, targets)
        k8s.apiextensions.CustomResource(
            f"{self._name}-rules",
            api_version=API_VERSION,
            kind="PrometheusRule",
            metadata={
                "name": f"{targets.instance}-rules",
                "namespace": self._awx_namespace,
                "labels": self._monitor_labels,
            },
            spec={"groups": rule_groups(targets, slos)},
            opts=self._child(after_stack=True),
        )

    def _create_dashboards(self) -> None:
        settings, targets = self._args.settings, self._args.targets
        models = provisioned_dashboards(settings, targets)
        for file_name, model in sorted(models.items()):
            stem = re.sub(r"[^a-z0-9-]", "-", file_name.removesuffix(".json").lower())
            k8s.core.v1.ConfigMap(
                f"{self._name}-dashboard-{stem}",
                metadata={
                    "name": f"{targets.instance}-dashboard-{stem}",
                    "namespace": settings.namespace,
                    "labels": {**self._labels, prometheus_stack.DASHBOARD_LABEL: "1"},
                    "annotations": {prometheus_stack.FOLDER_ANNOTATION: DASHBOARD_FOLDER},
                },
                data={file_name: json.dumps(model, indent=1, sort_keys=True)},
                opts=self._child(after_stack=True),
            )

    def _create_network_policies(self) -> None:
        args = self._args
        address = args.settings.exporters.redis_address
        context = network_policies.PolicyContext(
            web_deployment=args.targets.web_deployment,
            task_deployment=args.targets.task_deployment,
            monitoring_namespace=args.settings.namespace,
            redis_port=int(address.rsplit(":", 1)[1]) if address else None,
            object_storage_ports=args.object_storage_ports,
        )
        for suffix, spec in network_policies.policy_specs(
            args.settings.network_policies, context
        ).items():
            k8s.networking.v1.NetworkPolicy(
                f"{self._name}-{suffix}",
                metadata=self._metadata(f"{args.targets.instance}-{suffix}", self._awx_namespace),
                spec=spec,
                opts=self._child(),
            )


def effective_slos(settings: MonitoringSettings, targets: MonitoringTargets) -> list[Slo]:
    """The stack's SLOs, or the defaults (API availability, job success, backups) without any."""
    return list(settings.slos) or default_slos(targets)


def provisioned_dashboards(
    settings: MonitoringSettings, targets: MonitoringTargets
) -> dict[str, dict[str, Any]]:
    """File name -> dashboard model, for exactly the SLOs the rules are generated for."""
    slos = effective_slos(settings, targets)
    return dashboards(targets, [s.name for s in slos], {s.name: s.objective for s in slos})


def _plain(value: object) -> str | None:
    secret = getattr(value, "get_secret_value", None)
    return None if secret is None else str(secret())
