"""AWX in production: backups run, are encrypted and kept long enough, and monitoring is on.

Stack policies, because "is there a backup CronJob at all" needs every resource. They apply
only to production stacks (environment.py); the backup CronJob is the CronJob labelled
`app.kubernetes.io/component: backup`, and its settings are read from the environment the
program gives its pod (BACKUP_ENCRYPTION, BACKUP_RETENTION_DAYS, ...), the same values the
backup runtime acts on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from .common import containers, dig, labels_of, pod_spec, stack_policy
from .cron import runs_per_day
from .environment import PRODUCTION_CONFIG, production_reason

CRONJOB = "kubernetes:batch/v1:CronJob"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
COMPONENT_LABEL = "app.kubernetes.io/component"
DEFAULT_MIN_RETENTION_DAYS = 30
DEFAULT_ENCRYPTION_MODES = ["age", "aes-256"]
BACKUP_ENV = (
    "BACKUP_ENCRYPTION",
    "BACKUP_AGE_RECIPIENTS",
    "BACKUP_AES_KEY_FILE",
    "BACKUP_KMS_KEY_ARN",
    "BACKUP_RETENTION_DAYS",
    "BACKUP_RETENTION_MAX_BACKUPS",
)


def backup_cron_jobs(args: StackValidationArgs) -> list[PolicyResource]:
    return [
        r
        for r in args.resources
        if r.resource_type == CRONJOB and labels_of(r.props).get(COMPONENT_LABEL) == "backup"
    ]


def backup_env(cron_job: PolicyResource) -> dict[str, str]:
    """The literal values of the backup settings in the CronJob's pod environment."""
    found: dict[str, str] = {}
    for container in containers(pod_spec(CRONJOB, cron_job.props) or {}):
        for item in container.get("env") or []:
            # Only these names are read: other values may be unknown during a preview.
            name = item.get("name") if isinstance(item, Mapping) else None
            if name in BACKUP_ENV and isinstance(item.get("value"), str):
                found[str(name)] = item["value"]
    return found


def _name(resource: PolicyResource) -> str:
    return str(dig(resource.props, "metadata", "name") or resource.name)


def _backups_enabled(args: StackValidationArgs, report: ReportViolation) -> None:
    reason = production_reason(args)
    if reason is not None and not backup_cron_jobs(args):
        report(
            f"production stack ({reason}) has no backup CronJob (a CronJob labelled "
            f"{COMPONENT_LABEL}=backup); set awx-platform:backup.enabled: true"
        )


backups_enabled = stack_policy(
    "awx-prod-backups-enabled",
    "Production stacks run scheduled AWX backups (a backup CronJob).",
    _backups_enabled,
    config=PRODUCTION_CONFIG,
)


def _encryption_problem(env: Mapping[str, str], modes: list[str]) -> str | None:
    mode = env.get("BACKUP_ENCRYPTION")
    if mode not in modes:
        return (
            f"BACKUP_ENCRYPTION is {mode!r}, not one of {', '.join(modes)} "
            "(awx-platform:backup.encryption.mode)"
        )
    if mode == "age" and not env.get("BACKUP_AGE_RECIPIENTS", "").strip(","):
        return (
            "seals backups to no age recipient (BACKUP_AGE_RECIPIENTS is empty; "
            "awx-platform:backup.encryption.age_recipients)"
        )
    if mode == "aes-256" and not (env.get("BACKUP_AES_KEY_FILE") or env.get("BACKUP_KMS_KEY_ARN")):
        return (
            "uses aes-256 without a key (BACKUP_AES_KEY_FILE or BACKUP_KMS_KEY_ARN; "
            "awx-platform:backup.encryption.key_secret or kms_key_arn)"
        )
    return None


def _backups_encrypted(args: StackValidationArgs, report: ReportViolation) -> None:
    if production_reason(args) is None:
        return
    modes = list(args.get_config().get("encryption_modes", DEFAULT_ENCRYPTION_MODES))
    for cron_job in backup_cron_jobs(args):
        problem = _encryption_problem(backup_env(cron_job), modes)
        if problem is not None:
            report(f"backup CronJob {_name(cron_job)} {problem}", cron_job.urn)


backups_encrypted = stack_policy(
    "awx-prod-backups-encrypted",
    "Production backups are encrypted before they leave the pod (age or aes-256 with a key).",
    _backups_encrypted,
    config={
        **PRODUCTION_CONFIG,
        "encryption_modes": {
            "type": "array",
            "items": {"type": "string", "enum": DEFAULT_ENCRYPTION_MODES},
            "default": DEFAULT_ENCRYPTION_MODES,
            "description": "BACKUP_ENCRYPTION modes accepted in production.",
        },
    },
)


def _whole(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _retention_problem(cron_job: PolicyResource, minimum: int) -> str | None:
    env = backup_env(cron_job)
    days = _whole(env.get("BACKUP_RETENTION_DAYS"))
    if days is None:
        return "sets no whole-number BACKUP_RETENTION_DAYS"
    if days < minimum:
        return (
            f"keeps backups {days} days; production needs at least {minimum} "
            "(awx-platform:backup.retention.days)"
        )
    count = _whole(env.get("BACKUP_RETENTION_MAX_BACKUPS"))
    if count is None:
        return None
    schedule = dig(cron_job.props, "spec", "schedule")
    per_day = runs_per_day(schedule) if isinstance(schedule, str) else None
    if per_day is None:
        return f"limits backups to {count} but its schedule {schedule!r} cannot be read"
    if count < minimum * per_day:
        return (
            f"keeps at most {count} backups at up to {per_day} a day, which can cover fewer "
            f"than {minimum} days (awx-platform:backup.retention.max_backups)"
        )
    return None


def _retention(args: StackValidationArgs, report: ReportViolation) -> None:
    if production_reason(args) is None:
        return
    minimum = int(args.get_config().get("min_retention_days", DEFAULT_MIN_RETENTION_DAYS))
    for cron_job in backup_cron_jobs(args):
        problem = _retention_problem(cron_job, minimum)
        if problem is not None:
            report(f"backup CronJob {_name(cron_job)} {problem}", cron_job.urn)


backup_retention = stack_policy(
    "awx-prod-backup-retention",
    "Production backups are kept at least min_retention_days (default "
    f"{DEFAULT_MIN_RETENTION_DAYS}), by age limit and by count limit.",
    _retention,
    config={
        **PRODUCTION_CONFIG,
        "min_retention_days": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MIN_RETENTION_DAYS,
            "description": "Fewest days a production backup must be kept.",
        },
    },
)


def _has_rules(rule: PolicyResource) -> bool:
    groups: Any = dig(rule.props, "spec", "groups")
    # The analyzer hands over read-only sequence proxies, not lists.
    return (
        isinstance(groups, Sequence)
        and not isinstance(groups, str)
        and any(isinstance(group, Mapping) and group.get("rules") for group in groups)
    )


def _monitoring_enabled(args: StackValidationArgs, report: ReportViolation) -> None:
    reason = production_reason(args)
    if reason is None:
        return
    rules = [r for r in args.resources if r.resource_type == PROMETHEUS_RULE]
    monitors = [r for r in args.resources if r.resource_type == SERVICE_MONITOR]
    missing = [
        kind
        for kind, found in (("PrometheusRule", rules), ("ServiceMonitor", monitors))
        if not found
    ]
    if missing:
        report(
            f"production stack ({reason}) has no {' and no '.join(missing)} "
            "(monitoring.coreos.com/v1); set awx-platform:monitoring.enabled: true"
        )
    elif not any(_has_rules(rule) for rule in rules):
        report(f"production stack ({reason}) has PrometheusRules without any rules")


monitoring_enabled = stack_policy(
    "awx-prod-monitoring-enabled",
    "Production stacks deploy AWX monitoring: ServiceMonitors and a PrometheusRule with rules.",
    _monitoring_enabled,
    config=PRODUCTION_CONFIG,
)

POLICIES = [backups_enabled, backups_encrypted, backup_retention, monitoring_enabled]
