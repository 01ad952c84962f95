"""The production rules apply to production stacks only, found by stack name or by label; their
thresholds come from the policy config; the example stacks are classified as they say."""

import pytest
from pulumi_policy import StackValidationArgs

from policies.rules.cron import runs_per_day
from policies.rules.environment import ENVIRONMENT_LABEL, production_reason
from tests.harness import STACKS, run_program, stack_config
from tests.policies.cases import (
    AWX,
    CASES,
    CRONJOB,
    awx,
    backup_job,
    monitoring_objects,
    production,
)
from tests.policies.pack import POLICIES, program_resources, resource, violations

PRODUCTION_POLICIES = sorted(name for name in POLICIES if name.startswith("awx-prod-"))


def test_there_are_five_production_policies() -> None:
    assert PRODUCTION_POLICIES == [
        "awx-prod-backup-retention",
        "awx-prod-backups-enabled",
        "awx-prod-backups-encrypted",
        "awx-prod-images-by-digest",
        "awx-prod-monitoring-enabled",
    ]


@pytest.mark.parametrize("name", PRODUCTION_POLICIES)
@pytest.mark.parametrize("stack", ["dev", "staging", "prodigy", "local"])
def test_other_stacks_are_exempt(name: str, stack: str) -> None:
    case = next(c for c in CASES if c.policy == name)
    moved = [resource(r.resource_type, r.props, r.name, stack=stack) for r in case.violating]
    assert violations(POLICIES[name], moved) == []


@pytest.mark.parametrize("stack", ["prod", "prod-eu", "production", "production-2"])
def test_default_globs_mark_production(stack: str) -> None:
    found = violations(POLICIES["awx-prod-backups-enabled"], production(stack=stack))
    assert found == [
        f"production stack (stack {stack!r} matches production_stacks) has no backup CronJob "
        "(a CronJob labelled app.kubernetes.io/component=backup); set "
        "awx-platform:backup.enabled: true"
    ]


def test_the_environment_label_marks_production_whatever_the_stack_name() -> None:
    labelled = awx({})
    labelled["metadata"]["labels"] = {ENVIRONMENT_LABEL: "production"}
    found = violations(POLICIES["awx-prod-backups-enabled"], [resource(AWX, labelled, "awx")])
    assert found and "awx is labelled awx-platform/environment=production" in found[0]
    labelled["metadata"]["labels"] = {ENVIRONMENT_LABEL: "development"}
    assert violations(POLICIES["awx-prod-backups-enabled"], [resource(AWX, labelled)]) == []


def test_which_stacks_and_labels_are_production_is_configurable() -> None:
    policy = POLICIES["awx-prod-backups-enabled"]
    assert violations(policy, production(stack="blue")) == []
    assert violations(policy, production(stack="blue"), {"production_stacks": ["blue"]})
    assert violations(policy, production(), {"production_stacks": []}) == []
    labelled = awx({})
    labelled["metadata"]["labels"] = {ENVIRONMENT_LABEL: "staging"}
    assert violations(policy, [resource(AWX, labelled)], {"production_environments": ["staging"]})


def test_minimum_retention_is_configurable() -> None:
    policy = POLICIES["awx-prod-backup-retention"]
    ninety = production(backup_job(BACKUP_RETENTION_DAYS="90"))
    assert violations(policy, ninety, {"min_retention_days": 90}) == []
    assert violations(policy, ninety, {"min_retention_days": 91}) == [
        "backup CronJob awx-backup keeps backups 90 days; production needs at least 91 "
        "(awx-platform:backup.retention.days)"
    ]


@pytest.mark.parametrize(
    ("schedule", "max_backups", "compliant"),
    [
        ("0 2 * * *", "30", True),
        ("0 2 * * *", "29", False),
        ("0 */6 * * *", "120", True),
        ("0 */6 * * *", "100", False),
        ("@hourly", "719", False),
    ],
)
def test_a_count_limit_must_not_cut_retention_short(
    schedule: str, max_backups: str, compliant: bool
) -> None:
    job = backup_job(schedule, BACKUP_RETENTION_MAX_BACKUPS=max_backups)
    found = violations(POLICIES["awx-prod-backup-retention"], production(job))
    assert (found == []) is compliant, found
    if not compliant:
        assert "awx-platform:backup.retention.max_backups" in found[0]


def test_missing_retention_is_a_violation() -> None:
    job = backup_job(BACKUP_RETENTION_DAYS=None)
    assert violations(POLICIES["awx-prod-backup-retention"], production(job)) == [
        "backup CronJob awx-backup sets no whole-number BACKUP_RETENTION_DAYS"
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BACKUP_ENCRYPTION": None}, "BACKUP_ENCRYPTION is None"),
        ({"BACKUP_AGE_RECIPIENTS": ""}, "seals backups to no age recipient"),
        ({"BACKUP_ENCRYPTION": "aes-256"}, "uses aes-256 without a key"),
    ],
)
def test_encryption_needs_a_mode_and_its_key(env: dict[str, str | None], message: str) -> None:
    found = violations(POLICIES["awx-prod-backups-encrypted"], production(backup_job(**env)))
    assert len(found) == 1 and message in found[0], found


def test_aes_256_with_a_kms_key_is_encrypted() -> None:
    job = backup_job(BACKUP_ENCRYPTION="aes-256", BACKUP_KMS_KEY_ARN="arn:aws:kms:eu:1:key/k")
    assert violations(POLICIES["awx-prod-backups-encrypted"], production(job)) == []
    only_age = {"encryption_modes": ["age"]}
    assert violations(POLICIES["awx-prod-backups-encrypted"], production(job), only_age)


def test_the_restore_drill_is_not_a_backup() -> None:
    drill = backup_job()
    drill["metadata"]["labels"] = {"app.kubernetes.io/component": "restore-drill"}
    found = violations(
        POLICIES["awx-prod-backups-enabled"],
        [*production(), resource(CRONJOB, drill, "drill", stack="prod-aws")],
    )
    assert found


def test_monitoring_needs_rules_with_content() -> None:
    policy = POLICIES["awx-prod-monitoring-enabled"]
    assert "has no PrometheusRule and no ServiceMonitor" in violations(policy, production())[0]
    objects = monitoring_objects()
    empty = [
        resource(r.resource_type, {**r.props, "spec": {"groups": []}}, r.name, stack="prod-aws")
        if r.resource_type.endswith("PrometheusRule")
        else r
        for r in objects
    ]
    assert violations(policy, production() + empty) == [
        "production stack (stack 'prod-aws' matches production_stacks) has PrometheusRules "
        "without any rules"
    ]


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("0 2 * * *", 1),
        ("30 1 * * 0", 1),
        ("*/15 * * * *", 96),
        ("0,30 8-17 * * 1-5", 20),
        ("CRON_TZ=Europe/Berlin 0 3 * * *", 1),
        ("@daily", 1),
        ("@hourly", 24),
        ("0 25 * * *", None),
        ("not a schedule", None),
    ],
)
def test_runs_per_day(schedule: str, runs: int | None) -> None:
    assert runs_per_day(schedule) == runs


@pytest.mark.parametrize("stack", STACKS)
def test_example_stacks_are_classified_by_their_environment(stack: str) -> None:
    environment = stack_config(stack)["awx-platform:policy"]["environment"]
    run = run_program(stack)
    labels = {
        r.plain["metadata"]["labels"].get(ENVIRONMENT_LABEL) for r in run.kubernetes_objects()
    }
    assert labels == {environment}
    reason = production_reason(StackValidationArgs(program_resources(run, stack), {}))
    # The production rules must really apply to the prod-* stacks, not pass vacuously.
    assert (reason is not None) is (environment == "production")
