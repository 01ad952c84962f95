"""AwxDeployment: the namespace, awx-operator, AWX's Secrets and the AWX custom resource."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.awx.spec import SecretNames, awx_spec
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings

AWX_API_VERSION = "awx.ansible.com/v1beta1"
OPERATOR_CHART = "awx-operator"


@dataclass(frozen=True)
class AwxDeploymentArgs:
    settings: AwxSettings
    """The validated `awx` config section."""
    autoscaling: AutoscalingSettings
    """The validated `autoscaling` section: who owns the task pods' replica count."""
    fork_settings: Mapping[str, Any] = field(default_factory=dict)
    """AWX settings (name: value) that carry the fork budget, from the autoscaling feature;
    written into settings.py ahead of awx.extra_settings."""
    admin_password: pulumi.Input[str] | None = None
    """Admin password from Pulumi secret config; generated when None."""
    secret_key: pulumi.Input[str] | None = None
    """AWX secret key from Pulumi secret config; generated when None."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class AwxDeployment(pulumi.ComponentResource):
    """AWX run by awx-operator, with generated admin password and secret key."""

    namespace: pulumi.Output[str]
    """Namespace AWX runs in."""
    instance_name: pulumi.Output[str]
    """Name of the AWX custom resource."""
    service_name: pulumi.Output[str]
    """Service in front of the web pods (port name `http`)."""
    api_url: pulumi.Output[str]
    """AWX's API inside the cluster, through that Service (what the enforcer and exporter call)."""
    task_deployment_name: pulumi.Output[str]
    """Deployment of the task (control) pods, the target of task autoscaling."""
    web_deployment_name: pulumi.Output[str]
    """Deployment of the web pods."""
    admin_password_secret_name: pulumi.Output[str]
    """Secret holding the admin password (key `password`)."""
    secret_key_secret_name: pulumi.Output[str]
    """Secret holding AWX's credential encryption key (key `secret_key`)."""
    postgres_configuration_secret_name: pulumi.Output[str]
    """Secret with the database connection (created by the operator when managed)."""
    admin_password: pulumi.Output[str] | None
    """The admin password (a Pulumi secret), or None when it lives in an existing Secret."""

    def __init__(
        self, name: str, args: AwxDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:awx:AwxDeployment", name, None, opts)
        settings = args.settings
        self._name = name
        self._labels = dict(args.labels)

        namespace = self._create_namespace(settings)
        admin_secret, self.admin_password = self._admin_password_secret(
            settings, namespace, args.admin_password
        )
        secret_key_secret = self._secret_key_secret(settings, namespace, args.secret_key)
        operator = self._install_operator(settings, namespace)
        instance = self._create_instance(
            settings,
            awx_spec(
                settings,
                args.autoscaling,
                args.fork_settings,
                SecretNames(admin_password=admin_secret.name, secret_key=secret_key_secret.name),
            ),
            namespace,
            depends_on=[
                r for r in (operator, admin_secret.resource, secret_key_secret.resource) if r
            ],
        )

        self.namespace = namespace
        self.instance_name = instance.urn.apply(lambda _: settings.name)
        self.service_name = pulumi.Output.from_input(settings.service)
        self.api_url = pulumi.Output.concat("http://", self.service_name, ".", namespace, ".svc:80")
        self.task_deployment_name = pulumi.Output.from_input(settings.task_deployment)
        self.web_deployment_name = pulumi.Output.from_input(settings.web_deployment)
        self.admin_password_secret_name = pulumi.Output.from_input(admin_secret.name)
        self.secret_key_secret_name = pulumi.Output.from_input(secret_key_secret.name)
        self.postgres_configuration_secret_name = pulumi.Output.from_input(
            settings.postgres.configuration_secret or f"{settings.name}-postgres-configuration"
        )
        outputs: dict[str, object] = {
            "namespace": self.namespace,
            "instance_name": self.instance_name,
            "service_name": self.service_name,
            "api_url": self.api_url,
            "task_deployment_name": self.task_deployment_name,
            "web_deployment_name": self.web_deployment_name,
            "admin_password_secret_name": self.admin_password_secret_name,
            "secret_key_secret_name": self.secret_key_secret_name,
            "postgres_configuration_secret_name": self.postgres_configuration_secret_name,
        }
        if self.admin_password is not None:
            outputs["admin_password"] = self.admin_password
        self.register_outputs(outputs)

    def _child(
        self, protect: bool = False, depends_on: list[pulumi.Resource] | None = None
    ) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=protect, depends_on=depends_on)

    def _metadata(self, name: str, namespace: pulumi.Input[str]) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=self._labels)

    def _create_namespace(self, settings: AwxSettings) -> pulumi.Output[str]:
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-namespace",
            metadata={"name": settings.namespace, "labels": self._labels},
            # Deleting the namespace deletes the operator-managed database with it.
            opts=self._child(protect=settings.protect),
        )
        # Derived from the resource so that everything namespaced waits for the namespace.
        return namespace.metadata.apply(lambda metadata: str(metadata.name))

    def _admin_password_secret(
        self,
        settings: AwxSettings,
        namespace: pulumi.Output[str],
        configured: pulumi.Input[str] | None,
    ) -> tuple["_SecretRef", pulumi.Output[str] | None]:
        if settings.admin_password_secret is not None:
            return _SecretRef(settings.admin_password_secret, None), None
        if configured is None:
            configured = random.RandomPassword(
                f"{self._name}-admin-password",
                length=32,
                special=False,
                opts=self._child(),
            ).result
        password = pulumi.Output.secret(configured)
        secret_name = f"{settings.name}-admin-password"
        secret = k8s.core.v1.Secret(
            f"{self._name}-admin-password",
            metadata=self._metadata(secret_name, namespace),
            string_data={"password": password},
            opts=self._child(),
        )
        return _SecretRef(secret_name, secret), password

    def _secret_key_secret(
        self,
        settings: AwxSettings,
        namespace: pulumi.Output[str],
        configured: pulumi.Input[str] | None,
    ) -> "_SecretRef":
        if settings.secret_key_secret is not None:
            return _SecretRef(settings.secret_key_secret, None)
        # Losing the secret key makes every credential stored in the database unreadable.
        if configured is None:
            configured = random.RandomPassword(
                f"{self._name}-secret-key",
                length=64,
                special=False,
                opts=self._child(protect=settings.protect),
            ).result
        secret_name = f"{settings.name}-secret-key"
        secret = k8s.core.v1.Secret(
            f"{self._name}-secret-key",
            metadata=self._metadata(secret_name, namespace),
            string_data={"secret_key": pulumi.Output.secret(configured)},
            opts=self._child(protect=settings.protect),
        )
        return _SecretRef(secret_name, secret)

    def _install_operator(
        self, settings: AwxSettings, namespace: pulumi.Output[str]
    ) -> k8s.helm.v3.Release | None:
        operator = settings.operator
        if not operator.install:
            return None
        return k8s.helm.v3.Release(
            f"{self._name}-operator",
            name=OPERATOR_CHART,
            chart=OPERATOR_CHART,
            version=operator.chart_version,
            repository_opts={"repo": operator.chart_repository},
            namespace=namespace,
            # The AWX resource is ours to declare; the chart only brings the operator and CRDs.
            values={"AWX": {"enabled": False}},
            opts=self._child(),
        )

    def _create_instance(
        self,
        settings: AwxSettings,
        spec: dict[str, Any],
        namespace: pulumi.Output[str],
        depends_on: list[pulumi.Resource],
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{self._name}-instance",
            api_version=AWX_API_VERSION,
            kind="AWX",
            metadata=self._metadata(settings.name, namespace),
            spec=spec,
            opts=self._child(depends_on=depends_on),
        )


@dataclass(frozen=True)
class _SecretRef:
    name: str
    resource: k8s.core.v1.Secret | None
