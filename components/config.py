"""The typed stack configuration, and the only place the Pulumi config is read.

Every key lives in the `awx-platform` namespace as one object per section
(`awx-platform:autoscaling`, ...). Validation collects every problem at once and names
each by its full key path, e.g. `awx-platform:autoscaling.max_task_replicas`, so a stack
file can be fixed in one pass; nothing is registered with the engine before it passes.
"""

import json
from typing import Any, Self, get_args, get_origin

import pulumi
from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import ErrorDetails

from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings
from components.settings.backup import BackupSettings
from components.settings.base import FieldError, Section
from components.settings.cluster import ClusterSettings
from components.settings.deploy import DeploySettings
from components.settings.monitoring import MonitoringSettings
from components.settings.names import JOB_NAMESPACE, awx_name_derivations, longest_fit
from components.settings.policy import PolicySettings
from components.settings.rightsizing import RightsizingSettings
from components.settings.runtime import RuntimeSettings
from components.settings.secrets import SecretSettings

NAMESPACE = "awx-platform"
SECRET_SECTIONS = frozenset({"secrets"})


class StackConfig(Section):
    """The whole stack configuration: one field per top-level key."""

    awx: AwxSettings = AwxSettings()
    """The AWX instance, its operator, database, placement and exposure."""
    autoscaling: AutoscalingSettings = AutoscalingSettings()
    """Task-pod autoscaling and the fork limits."""
    backup: BackupSettings
    """Scheduled, encrypted backups: storage, schedule, retention, restore. Required: a stack
    names its backup encryption keys (or sets enabled: false) on purpose."""
    monitoring: MonitoringSettings = MonitoringSettings()
    """Prometheus stack, alert routing and SLOs."""
    policy: PolicySettings = PolicySettings()
    """Environment class and guard rails the policy pack enforces."""
    rightsizing: RightsizingSettings = RightsizingSettings()
    """The right-sizing advisor's weekly in-cluster run, its gates and price table."""
    runtime: RuntimeSettings = RuntimeSettings()
    """The awx-runtime image that backup, fork-enforcer and exporter pods run."""
    cluster: ClusterSettings = ClusterSettings()
    """Which cluster to deploy to, or a directory to render manifests into."""
    deploy: DeploySettings = DeploySettings()
    """Guarded deploys (`make deploy`): the health gates after `up`, and who awaits rollouts."""
    secrets: SecretSettings = SecretSettings()
    """Secret values; accepted only as Pulumi secrets."""

    @model_validator(mode="after")
    def _namespace_not_protected(self) -> Self:
        if self.awx.namespace in self.policy.protected_namespaces:
            raise FieldError(
                "awx.namespace",
                f"{self.awx.namespace!r} is a protected namespace "
                f"(policy.protected_namespaces: {', '.join(self.policy.protected_namespaces)})",
            )
        return self

    @model_validator(mode="after")
    def _job_namespace_is_separate(self) -> Self:
        # The job namespace's ResourceQuota must count job pods only, never AWX's own pods.
        namespace = self.autoscaling.job_pod.namespace_for(self.awx.namespace)
        problem = None
        if namespace == self.awx.namespace:
            problem = "must differ from awx.namespace so that its quota counts job pods only"
        elif namespace in self.policy.protected_namespaces:
            problem = f"{namespace!r} is a protected namespace"
        if problem is not None:
            raise FieldError("autoscaling.job_pod.namespace", problem)
        return self

    @model_validator(mode="after")
    def _rightsizing_reads_prometheus(self) -> Self:
        if self.rightsizing.enabled and not self.monitoring.enabled:
            raise FieldError(
                "rightsizing.enabled",
                "needs monitoring.enabled: the advisor reads Prometheus history and publishes "
                "to the Pushgateway",
            )
        return self

    @model_validator(mode="after")
    def _derived_names_fit(self) -> Self:
        if not self.awx.name[0].isalpha():
            # Services are named after it, and a Service name must start with a letter.
            raise FieldError("awx.name", "must start with a letter (it names Services)")
        problem = longest_fit(self.awx.name, awx_name_derivations(self.awx.image_version))
        if problem is not None:
            raise FieldError("awx.name", problem)
        if self.autoscaling.job_pod.namespace is None:
            problem = longest_fit(self.awx.namespace, (JOB_NAMESPACE,))
            if problem is not None:
                raise FieldError(
                    "awx.namespace", f"{problem} (job pods run in it unless "
                    "autoscaling.job_pod.namespace is set)",
                )  # fmt: skip
        return self

    @model_validator(mode="after")
    def _rendering_needs_no_helm(self) -> Self:
        # renderYamlToDirectory cannot render Helm releases; they need a live cluster.
        if self.cluster.render_directory is not None and self.awx.operator.install:
            raise FieldError(
                "awx.operator.install",
                "must be false when cluster.render_directory is set: rendering cannot install "
                "the operator's Helm release (deploy the operator separately)",
            )
        return self

    @model_validator(mode="after")
    def _rendering_installs_no_monitoring_stack(self) -> Self:
        monitoring = self.monitoring
        if (
            self.cluster.render_directory is not None
            and monitoring.enabled
            and monitoring.install_stack
        ):
            raise FieldError(
                "monitoring.install_stack",
                "must be false when cluster.render_directory is set: rendering cannot install "
                "the kube-prometheus-stack Helm release (attach to an existing stack instead)",
            )
        return self

    @model_validator(mode="after")
    def _one_source_per_secret(self) -> Self:
        pairs = (
            ("admin_password", self.secrets.admin_password, "awx.admin_password_secret"),
            ("secret_key", self.secrets.secret_key, "awx.secret_key_secret"),
            (
                "grafana_admin_password",
                self.secrets.grafana_admin_password,
                "monitoring.grafana.admin_password_secret",
            ),
            (
                "awx_metrics_token",
                self.secrets.awx_metrics_token,
                "monitoring.exporters.awx_token_secret",
            ),
        )
        existing = {
            "awx.admin_password_secret": self.awx.admin_password_secret,
            "awx.secret_key_secret": self.awx.secret_key_secret,
            "monitoring.grafana.admin_password_secret": (
                self.monitoring.grafana.admin_password_secret
            ),
            "monitoring.exporters.awx_token_secret": self.monitoring.exporters.awx_token_secret,
        }
        for name, configured, other in pairs:
            if configured is not None and existing[other] is not None:
                raise FieldError(
                    f"secrets.{name}", f"cannot be combined with {other}; use one source"
                )
        return self


class ConfigError(pulumi.RunError):
    """Invalid stack configuration; the message lists every problem by key path.

    A RunError, so the Pulumi CLI prints the message without a Python traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"invalid stack configuration ({count}):\n" + "\n".join(f"  - {p}" for p in problems)
        )


def load_stack_config() -> StackConfig:
    """Read and validate the `awx-platform` config of the current stack."""
    config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key in _config_keys():
        try:
            raw[key] = config.get_object(key)
        except (pulumi.ConfigTypeError, json.JSONDecodeError):
            problems.append(
                f"{NAMESPACE}:{key}: must be an object (a YAML map under "
                f"'{NAMESPACE}:{key}' in the stack file)"
            )
    secret_keys = _secret_keys()
    for key in sorted(SECRET_SECTIONS & raw.keys()):
        # An empty section (the project default) holds nothing to leak.
        if raw[key] and f"{NAMESPACE}:{key}" not in secret_keys:
            problems.append(
                f"{NAMESPACE}:{key}: holds plaintext values; set each one with "
                f"`pulumi config set --secret --path {key}.<name> <value>`"
            )
    return validate_stack_config(raw, problems)


def validate_stack_config(raw: dict[str, Any], problems: list[str] | None = None) -> StackConfig:
    """Validate raw section objects, raising ConfigError with every problem found."""
    found = list(problems or [])
    try:
        stack_config = StackConfig.model_validate(raw)
    except ValidationError as error:
        found.extend(_describe(detail) for detail in error.errors())
    else:
        if not found:
            return stack_config
    raise ConfigError(found)


def _config_keys() -> list[str]:
    # The language host passes config through PULUMI_CONFIG; mocks and the automation API
    # set it in-process. Both are read so unknown keys are caught either way.
    prefix = f"{NAMESPACE}:"
    names = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    return sorted(name[len(prefix) :] for name in names if name.startswith(prefix))


def _secret_keys() -> set[str]:
    in_process = pulumi.runtime.config._SECRET_KEYS.get()
    return set(in_process) | set(pulumi.runtime.config.get_config_secret_keys_env())


def _describe(detail: ErrorDetails) -> str:
    location: list[str | int] = list(detail["loc"])
    cause = (detail.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        location.extend(_split_field(cause.field))
    path = _format_path(location)
    message = str(cause) if cause is not None else detail["msg"]
    if detail["type"] == "extra_forbidden":
        allowed = _allowed_keys(location[:-1])
        return f"{path}: unknown key; allowed keys here: {', '.join(allowed)}"
    if detail["type"] == "missing":
        return f"{path}: required key is missing"
    if location and location[0] in SECRET_SECTIONS:
        return f"{path}: {message}"  # never echo a secret value back
    shown = detail.get("input")
    if cause is None and not isinstance(shown, dict | list):
        return f"{path}: {message} (got {json.dumps(shown)})"
    return f"{path}: {message}"


def _split_field(field: str) -> list[str | int]:
    parts: list[str | int] = []
    for part in field.split("."):
        name, _, index = part.partition("[")
        parts.append(name)
        if index:
            parts.append(int(index.rstrip("]")))
    return parts


def _format_path(location: list[str | int]) -> str:
    text = NAMESPACE + ":"
    for index, part in enumerate(location):
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += part if index == 0 else f".{part}"
    return text


def _allowed_keys(location: list[str | int]) -> list[str]:
    model: type[BaseModel] | None = StackConfig
    for part in location:
        if model is None:
            break
        if isinstance(part, str):
            field = model.model_fields.get(part)
            model = _model_in(field.annotation) if field is not None else None
    return sorted(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or get_args(annotation):
        for argument in get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
