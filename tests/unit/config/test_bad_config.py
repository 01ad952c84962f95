"""Bad stack config fails before any resource is registered, naming the key and what is allowed."""

from typing import Any

import pytest

from components.config import ConfigError
from tests.harness import (
    changed_config,
    run_failing_program,
    run_program,
    stack_config,
    with_value,
)
from tests.unit.refusals import assert_refused

AGE_KEY = "age1m6mm6hj8rnse0wlpz8fcxcj7zcynelujajtqwfhxwyvdg04xtszqayps89"

# (change as "section.key" -> value, key path expected in the message, words it must say)
CASES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"autoscaling.min_task_replicas": 6, "autoscaling.max_task_replicas": 4},
        "awx-platform:autoscaling.max_task_replicas",
        "must be at least min_task_replicas (6); got 4",
    ),
    (
        {"autoscaling.max_forks_per_task": 300, "autoscaling.max_total_forks": 200},
        "awx-platform:autoscaling.max_forks_per_task",
        "must not exceed max_total_forks (200)",
    ),
    (
        {"autoscaling.target_cpu_utilization": 0},
        "awx-platform:autoscaling.target_cpu_utilization",
        "greater than or equal to 1",
    ),
    (
        {"autoscaling.scale_down_threshold": 90, "autoscaling.scale_up_threshold": 80},
        "awx-platform:autoscaling.scale_down_threshold",
        "must be below scale_up_threshold (80)",
    ),
    (
        {"autoscaling.max_task_replicas": "many"},
        "awx-platform:autoscaling.max_task_replicas",
        'valid integer, unable to parse string as an integer (got "many")',
    ),
    (
        {"autoscaling.maximum_replicas": 3},
        "awx-platform:autoscaling.maximum_replicas",
        "unknown key; allowed keys here: cooldown_period_seconds, enabled,",
    ),
    (
        {"telemetry": {"on": True}},
        "awx-platform:telemetry",
        "unknown key; allowed keys here: autoscaling, awx, backup",
    ),
    (
        {"backup.schedule": "0 25 * * *"},
        "awx-platform:backup.schedule",
        "hour field '25' is out of range (allowed 0-23",
    ),
    (
        {"backup.schedule": "daily at two"},
        "awx-platform:backup.schedule",
        "has 3 fields; a schedule needs five",
    ),
    (
        {"backup.storage_type": "s3"},
        "awx-platform:backup.s3",
        "is required when storage_type is 's3'",
    ),
    (
        {
            "backup.storage_type": "gcs",
            "backup.gcs": {"bucket": "b-awx", "project_id": "my-project-1"},
            "backup.azure": {
                "storage_account": "awxbackups",
                "container": "awx",
                "subscription_id": "00000000-0000-0000-0000-000000000000",
                "resource_group": "rg",
                "location": "westeurope",
                "oidc_issuer_url": "https://westeurope.oic.prod-aks.azure.com/tenant/id/",
            },
        },
        "awx-platform:backup.azure",
        "is set but storage_type is 'gcs'",
    ),
    (
        {"backup.storage_type": "ftp"},
        "awx-platform:backup.storage_type",
        "'s3', 'azure', 'gcs' or 'pvc'",
    ),
    (
        {"backup.encryption": {"mode": "age", "age_recipients": []}},
        "awx-platform:backup.encryption.age_recipients",
        "needs at least one age public key",
    ),
    (
        {"backup.encryption": {"age_recipients": ["ssh-ed25519 AAAA"]}},
        "awx-platform:backup.encryption.age_recipients",
        "is not an age X25519 public key",
    ),
    (
        {"backup.retention.max_backups": 2, "backup.retention.min_backups": 3},
        "awx-platform:backup.retention.max_backups",
        "must be at least min_backups (3); got 2",
    ),
    (
        {"awx.resources.task": {"requests": {"memory": "4Gi"}, "limits": {"memory": "2Gi"}}},
        "awx-platform:awx.resources.task.limits.memory",
        "must be at least requests.memory (4Gi); got 2Gi",
    ),
    (
        {"awx.resources.web": {"limits": {"cpu": "two"}}},
        "awx-platform:awx.resources.web.limits.cpu",
        "'two' is not a Kubernetes quantity",
    ),
    (
        {"awx.postgres": {"mode": "external"}},
        "awx-platform:awx.postgres.configuration_secret",
        "is required when mode is 'external'",
    ),
    ({"awx.namespace": "AWX_Prod"}, "awx-platform:awx.namespace", "is not a DNS-1123 label"),
    ({"awx.namespace": "kube-system"}, "awx-platform:awx.namespace", "is a protected namespace"),
    (
        {"awx.image_version": "latest"},
        "awx-platform:awx.image_version",
        "is not a pinned image tag",
    ),
    (
        {"runtime.image_digest": "sha256:ABC"},
        "awx-platform:runtime.image_digest",
        "is not an image digest",
    ),
    (
        {"monitoring.exporters.pushgateway_image_digest": "v1.9.0"},
        "awx-platform:monitoring.exporters.pushgateway_image_digest",
        "is not an image digest",
    ),
    (
        {"awx.ingress": {"type": "ingress"}},
        "awx-platform:awx.ingress.hostname",
        "is required when type is 'ingress'",
    ),
    (
        {"awx.extra_settings": {"MAX_FORKS": 500}},
        "awx-platform:awx.extra_settings",
        "MAX_FORKS is derived from the autoscaling section",
    ),
    (
        {"awx.tolerations": [{"key": "a", "operator": "Exists", "value": "b"}]},
        "awx-platform:awx.tolerations[0].value",
        "must be empty when operator is Exists",
    ),
    (
        {"cluster": {"render_directory": "rendered/local", "kubeconfig": "kubeconfig"}},
        "awx-platform:cluster.kubeconfig",
        "cannot be combined with render_directory",
    ),
    (
        {"awx.operator.install": True, "cluster": {"render_directory": "rendered/local"}},
        "awx-platform:awx.operator.install",
        "must be false when cluster.render_directory is set",
    ),
    (
        {"monitoring.prometheus.retention": "two weeks"},
        "awx-platform:monitoring.prometheus.retention",
        "is not a Prometheus duration",
    ),
    (
        {"awx.postgres.storage_size": "0Gi"},
        "awx-platform:awx.postgres.storage_size",
        "must be larger than zero",
    ),
]


def _apply(changes: dict[str, Any]) -> dict[str, Any]:
    return changed_config("local", changes)


@pytest.mark.parametrize(("changes", "key_path", "explanation"), CASES, ids=[c[1] for c in CASES])
def test_bad_value_is_named_and_nothing_is_registered(
    changes: dict[str, Any], key_path: str, explanation: str
) -> None:
    assert_refused("local", changes, key_path, explanation)


def test_every_problem_is_reported_at_once() -> None:
    failure = run_failing_program(
        "local",
        _apply(
            {
                "autoscaling.target_cpu_utilization": 500,
                "awx.web_replicas": 0,
                "backup.compression": "lz4",
            }
        ),
    )
    assert isinstance(failure.error, ConfigError)
    assert [p.split(":")[1] for p in failure.error.problems] == [
        "awx.web_replicas",
        "autoscaling.target_cpu_utilization",
        "backup.compression",
    ]
    assert str(failure.error).startswith("invalid stack configuration (3 problems):")


def test_a_section_that_is_not_an_object_is_named() -> None:
    config = _apply({})
    config["awx-platform:autoscaling"] = "fast"
    failure = run_failing_program("local", config)
    assert isinstance(failure.error, ConfigError)
    assert failure.error.problems == [
        "awx-platform:autoscaling: must be an object (a YAML map under "
        "'awx-platform:autoscaling' in the stack file)"
    ]


def test_missing_backup_section_is_required() -> None:
    config = _apply({})
    del config["awx-platform:backup"]
    failure = run_failing_program("local", config)
    assert isinstance(failure.error, ConfigError)
    assert failure.error.problems == ["awx-platform:backup: required key is missing"]


def test_plaintext_secrets_are_refused() -> None:
    config = with_value(stack_config("local"), "secrets", {"admin_password": "correct-horse-42"})
    failure = run_failing_program("local", config, secret_keys=[])
    assert isinstance(failure.error, ConfigError)
    assert failure.error.problems == [
        "awx-platform:secrets: holds plaintext values; set each one with "
        "`pulumi config set --secret --path secrets.<name> <value>`"
    ]
    assert "correct-horse-42" not in str(failure.error)
    assert failure.registered == []


SECRET_CASES = [
    (
        {"admin_password": "short-pw"},
        None,
        "secrets.admin_password: must be at least 12 characters long",
    ),
    (
        {"secret_key": "too-short-key"},
        None,
        "secrets.secret_key: must be at least 32 characters long",
    ),
    (
        {"secret_key": "k" * 40},
        ("awx.secret_key_secret", "corp-awx-key"),
        "secrets.secret_key: cannot be combined with awx.secret_key_secret; use one source",
    ),
    (
        {"admin_password": "correct-horse-42"},
        ("awx.admin_password_secret", "corp-awx-admin"),
        "secrets.admin_password: cannot be combined with awx.admin_password_secret; use one source",
    ),
]


@pytest.mark.parametrize(("secrets", "existing", "problem"), SECRET_CASES)
def test_bad_secrets_are_named_and_never_echoed(
    secrets: dict[str, str], existing: tuple[str, str] | None, problem: str
) -> None:
    config = with_value(stack_config("local"), "secrets", secrets)
    if existing is not None:
        config = with_value(config, *existing)
    failure = run_failing_program("local", config, secret_keys=["awx-platform:secrets"])
    assert isinstance(failure.error, ConfigError)
    assert failure.error.problems == [f"awx-platform:{problem}"]
    for value in secrets.values():
        assert value not in str(failure.error)
    assert failure.registered == []


def test_backups_disabled_need_no_keys() -> None:
    config = with_value(stack_config("local"), "backup", {"enabled": False})
    assert AGE_KEY not in str(config["awx-platform:backup"])
    assert run_program("local", config).one("kubernetes:awx.ansible.com/v1beta1:AWX")
