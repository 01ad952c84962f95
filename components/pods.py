"""Pod plumbing every feature shares: the AWX deployment pods point at, hardened awx-runtime
pods, resource requirements, and environment taken from Secrets.

Every awx-runtime pod (backup, restore, drill, enforcer, exporter) runs under the `restricted`
Pod Security Standard: non-root, no privilege escalation, no capabilities, read-only root
filesystem (a small emptyDir backs /tmp), and the runtime's default seccomp profile. Features
build their CronJobs, Jobs and Deployments from these pieces so that the hardening lives in
one place.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

from components.settings.awx import ResourceRequirements
from components.settings.runtime import RuntimeSettings


class AwxTarget(Protocol):
    """The AWX deployment as the other features see it (components/awx/ provides it).

    Features depend on this shape, not on the awx package: platform.py hands them the
    AwxDeployment, which has exactly these attributes.
    """

    @property
    def namespace(self) -> pulumi.Output[str]:
        """Namespace AWX runs in."""

    @property
    def instance_name(self) -> pulumi.Output[str]:
        """Name of the AWX custom resource (AWX_DEPLOYMENT_NAME)."""

    @property
    def service_name(self) -> pulumi.Output[str]:
        """Service in front of the web pods."""

    @property
    def api_url(self) -> pulumi.Output[str]:
        """AWX's API inside the cluster (AWX_API_URL)."""

    @property
    def task_deployment_name(self) -> pulumi.Output[str]:
        """Deployment of the task pods."""

    @property
    def web_deployment_name(self) -> pulumi.Output[str]:
        """Deployment of the web pods."""

    @property
    def admin_password_secret_name(self) -> pulumi.Output[str]:
        """Secret with the admin password (key `password`)."""

    @property
    def secret_key_secret_name(self) -> pulumi.Output[str]:
        """Secret with AWX's secret key (key `secret_key`)."""

    @property
    def postgres_configuration_secret_name(self) -> pulumi.Output[str]:
        """Secret with the database connection (host, port, database, username, ...)."""


RUNTIME_USER_ID = 65532
"""Numeric non-root user of the awx-runtime image (scripts/image/, `make image`)."""

TMP_VOLUME = "tmp"
SECRET_FILES_DIR = "/var/run/secrets/awx-platform"
"""Where SecretFile mounts each secret (one directory per volume)."""
READ_ONLY_SECRET_MODE = 0o440
"""Owner and group (the pod's fsGroup) may read; nobody may write."""
DAEMON_RESOURCES = {
    "requests": {"cpu": "20m", "memory": "64Mi"},
    "limits": {"cpu": "200m", "memory": "128Mi"},
}
"""Requests and limits of the long-running awx-runtime pods (fork enforcer, exporter): a
short pass every interval and a metrics endpoint in between."""


def pod_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUNTIME_USER_ID,
        "runAsGroup": RUNTIME_USER_ID,
        "fsGroup": RUNTIME_USER_ID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def runtime_container(
    name: str,
    runtime: RuntimeSettings,
    *,
    args: Sequence[str],
    resources: Mapping[str, Mapping[str, str]],
    env: Sequence[Mapping[str, Any]] = (),
    volume_mounts: Sequence[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A hardened awx-runtime container running `awx-runtime ARGS...`.

    `extra` carries further container fields (ports, probes) in their Kubernetes spelling.
    """
    return {
        "name": name,
        "image": runtime.image_reference,
        "imagePullPolicy": runtime.image_pull_policy,
        "args": list(args),
        "env": [dict(variable) for variable in env],
        "resources": {kind: dict(values) for kind, values in resources.items()},
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": TMP_VOLUME, "mountPath": "/tmp"}, *map(dict, volume_mounts)],
        **extra,
    }


def runtime_pod_spec(
    containers: Sequence[Mapping[str, Any]],
    service_account: str,
    volumes: Sequence[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A pod spec for awx-runtime containers with the restricted security context."""
    return {
        "serviceAccountName": service_account,
        "automountServiceAccountToken": True,
        "securityContext": pod_security_context(),
        "containers": [dict(container) for container in containers],
        "volumes": [
            {"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "256Mi"}},
            *map(dict, volumes),
        ],
        **extra,
    }


def single_pod_deployment_spec(
    selector: Mapping[str, pulumi.Input[str]],
    labels: Mapping[str, pulumi.Input[str]],
    pod_spec: Mapping[str, Any],
) -> dict[str, Any]:
    """A Deployment spec running exactly one pod with these labels (selected by `selector`)."""
    return {
        "replicas": 1,
        "selector": {"matchLabels": dict(selector)},
        "template": {"metadata": {"labels": dict(labels)}, "spec": dict(pod_spec)},
    }


def metrics_service_spec(selector: Mapping[str, pulumi.Input[str]], port: int) -> dict[str, Any]:
    """A Service spec exposing the pods' container port `metrics` as port `port` (`metrics`)."""
    return {
        "selector": dict(selector),
        "ports": [{"name": "metrics", "port": port, "targetPort": "metrics"}],
    }


def env_from_secret(
    variable: str, secret: pulumi.Input[str], key: str, optional: bool = False
) -> dict[str, Any]:
    """An environment variable taken from one key of a Secret."""
    reference: dict[str, Any] = {"name": secret, "key": key}
    if optional:
        reference["optional"] = True
    return {"name": variable, "valueFrom": {"secretKeyRef": reference}}


def env_values(values: Mapping[str, str | None]) -> list[dict[str, str]]:
    """Plain environment variables, skipping those without a value."""
    return [{"name": key, "value": value} for key, value in values.items() if value is not None]


@dataclass(frozen=True)
class SecretFile:
    """One key of a Secret as a read-only file, for programs that take a secret from a file
    (the runtime's *_FILE settings, postgres_exporter's DATA_SOURCE_PASS_FILE): a value in
    the environment is readable in /proc/<pid>/environ, inherited by every child process and
    shown by `kubectl describe`-style tooling that dumps env; a file is none of these."""

    volume: str
    secret: pulumi.Input[str]
    key: str

    @property
    def directory(self) -> str:
        return f"{SECRET_FILES_DIR}/{self.volume}"

    @property
    def path(self) -> str:
        return f"{self.directory}/{self.key}"

    def env(self, variable: str) -> dict[str, str]:
        """`variable` naming the file (e.g. PGPASSWORD_FILE)."""
        return {"name": variable, "value": self.path}

    def volume_spec(self) -> dict[str, Any]:
        return {
            "name": self.volume,
            "secret": {
                "secretName": self.secret,
                "items": [{"key": self.key, "path": self.key}],
                "defaultMode": READ_ONLY_SECRET_MODE,
            },
        }

    def mount(self) -> dict[str, Any]:
        return {"name": self.volume, "mountPath": self.directory, "readOnly": True}


def postgres_password_file(configuration_secret: pulumi.Input[str]) -> SecretFile:
    return SecretFile("postgres-password", configuration_secret, "password")


def postgres_env(configuration_secret: pulumi.Input[str]) -> list[dict[str, Any]]:
    """libpq's variables from the keys of AWX's postgres configuration Secret; the password
    as PGPASSWORD_FILE, the mounted postgres_password_file (the pod must mount it)."""
    keys = {"PGHOST": "host", "PGPORT": "port", "PGDATABASE": "database", "PGUSER": "username"}
    env = [env_from_secret(variable, configuration_secret, key) for variable, key in keys.items()]
    env.append(env_from_secret("PGSSLMODE", configuration_secret, "sslmode", optional=True))
    env.append(postgres_password_file(configuration_secret).env("PGPASSWORD_FILE"))
    return env


def kubernetes_resources(requirements: ResourceRequirements) -> dict[str, dict[str, str]]:
    """`{requests,limits}:{cpu,memory}` as Kubernetes spells them, unset entries left out.

    The one place config-side requirements become a container's (or a chart's) `resources`.
    """
    shaped: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        values = getattr(requirements, kind).model_dump(exclude_none=True)
        if values:
            shaped[kind] = values
    return shaped


SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"
DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment"


def skip_rollout_await(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    """A transformation marking every Deployment below it pulumi.com/skipAwait, so that `up`
    returns once the API server accepted it and a guarded deploy's gate awaits the rollout
    (deploy.rollouts_awaited_by: gates)."""
    if args.type_ != DEPLOYMENT_TYPE:
        return None
    metadata = args.props.get("metadata")
    if isinstance(metadata, Mapping):
        metadata = dict(metadata)
        annotations = dict(metadata.get("annotations") or {})
    elif metadata is None:
        metadata, annotations = {}, {}
    else:
        # Every Deployment of the program passes its metadata as a plain dict; anything else
        # would silently lose the annotation, so it is a programming error.
        raise TypeError(f"{args.name}: metadata must be a dict to mark it skipAwait")
    annotations[SKIP_AWAIT_ANNOTATION] = "true"
    metadata["annotations"] = annotations
    return pulumi.ResourceTransformationResult({**args.props, "metadata": metadata}, args.opts)
