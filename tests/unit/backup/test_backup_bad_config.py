"""Bad backup config fails before anything is registered, naming the key and what is allowed."""

from typing import Any

import pytest

from tests.harness import (
    changed_config,
    run_program,
)
from tests.unit.refusals import assert_refused

# (stack whose config is changed, changes "section.key" -> value, key path, words it must say)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("local", {"backup.storage_type": "azure"}, "backup.azure", "is required when storage_type"),
    ("local", {"backup.storage_type": "gcs"}, "backup.gcs", "is required when storage_type is"),
    (
        "prod-aws",
        {"backup.retention.days": 20},
        "backup.retention.days",
        "(20) must be longer than s3.transition_days (30)",
    ),
    (
        "prod-azure",
        {"backup.retention.days": 60},
        "backup.retention.days",
        "(60) must be longer than azure.cold_after_days (90)",
    ),
    ("local", {"backup.retention.weekly": -1}, "backup.retention.weekly", "greater than or equal"),
    ("local", {"backup.retention.monthly": -3}, "backup.retention.monthly", "greater than or"),
    ("prod-aws", {"backup.s3.bucket": "Example_Backups"}, "backup.s3.bucket", "should match"),
    ("prod-aws", {"backup.s3.bucket": "10.1.2.3"}, "backup.s3.bucket", "formatted as an IP"),
    ("prod-aws", {"backup.s3.bucket": "awx..backups"}, "backup.s3.bucket", "may not contain '..'"),
    (
        "prod-azure",
        {"backup.azure.storage_account": "awx-backups"},
        "backup.azure.storage_account",
        "should match pattern",
    ),
    (
        "prod-azure",
        {"backup.azure.container": "AWX_Backups"},
        "backup.azure.container",
        "should match pattern",
    ),
    (
        "prod-gcp",
        {"backup.gcs.bucket": "google-awx-backups"},
        "backup.gcs.bucket",
        "may not start with 'goog' or contain 'google'",
    ),
    (
        "prod-aws",
        {"backup.s3.storage_class": "STANDARD_IA", "backup.s3.transition_days": 10},
        "backup.s3.transition_days",
        "must be at least 30 for STANDARD_IA",
    ),
    (
        "prod-aws",
        {"backup.s3.irsa.oidc_provider_url": "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER"},
        "backup.s3.irsa.oidc_provider_url",
        "is not the issuer the provider ARN names",
    ),
    ("prod-aws", {"backup.s3.irsa": None}, "backup.s3.irsa", "is required when auth is 'irsa'"),
    (
        "dev-minio",
        {"backup.s3.auth": "irsa"},
        "backup.s3.auth",
        "must be 'secret' with endpoint_url",
    ),
    (
        "prod-aws",
        {"backup.s3.auth": "access-key"},
        "backup.s3.irsa",
        "only applies when auth is 'irsa'",
    ),
    (
        "prod-aws",
        {"backup.s3.replication.destination_kms_key_arn": None},
        "backup.s3.replication.destination_kms_key_arn",
        "is required when kms_key_arn is set",
    ),
    (
        "prod-azure",
        {"backup.azure.cold_after_days": 20},
        "backup.azure.cold_after_days",
        "must be after cool_after_days (30); got 20",
    ),
    (
        "prod-azure",
        {"backup.azure.subscription_id": "my-subscription"},
        "backup.azure.subscription_id",
        "should match pattern",
    ),
    (
        "prod-gcp",
        {"backup.gcs.data_locations": ["europe-west1"]},
        "backup.gcs.data_locations",
        "needs exactly two regions",
    ),
    (
        "prod-gcp",
        {"backup.gcs.location": "europe-west1", "backup.gcs.data_locations": []},
        "backup.gcs.turbo_replication",
        "needs a dual-region",
    ),
    (
        "local",
        {"backup.encryption.identity_secret": None},
        "backup.encryption.identity_secret",
        "is required for the restore drill",
    ),
    (
        "local",
        {"backup.drill.postgres_image_tag": "latest"},
        "backup.drill.postgres_image_tag",
        "is not a pinned image tag",
    ),
    (
        "local",
        {"backup.job.active_deadline_seconds": 10},
        "backup.job.active_deadline_seconds",
        "greater than or equal to 60",
    ),
    (
        "local",
        {"backup.job.resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}},
        "backup.job.resources",
        "needs requests.memory and limits.memory",
    ),
    (
        "prod-gcp",
        {
            "backup.encryption": {
                "mode": "aes-256",
                "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/example",
            }
        },
        "backup.encryption.kms_key_arn",
        "needs storage_type s3 on AWS",
    ),
    (
        "local",
        {"backup.enabled": False, "backup.restore": "latest"},
        "backup.restore",
        "needs enabled: true",
    ),
    (
        "local",
        {"backup.retention.lifecycle_grace_days": 0},
        "backup.retention.lifecycle_grace_days",
        "greater than or equal to 1",
    ),
]


def _apply(stack: str, changes: dict[str, Any]) -> dict[str, Any]:
    return changed_config(stack, changes)


@pytest.mark.parametrize(
    ("stack", "changes", "key", "explanation"),
    CASES,
    ids=[f"{case[0]}:{case[2]}:{index}" for index, case in enumerate(CASES)],
)
def test_bad_backup_value_is_named_and_nothing_is_registered(
    stack: str, changes: dict[str, Any], key: str, explanation: str
) -> None:
    assert_refused(stack, changes, f"awx-platform:{key}", explanation)


def test_drill_off_needs_no_private_key() -> None:
    config = _apply(
        "local", {"backup.encryption.identity_secret": None, "backup.drill.enabled": False}
    )
    run = run_program("local", config)
    assert "drill_cron_job" not in run.outputs["backup"]
