"""The S3 store under mocks: hardening, lifecycle from config, exact IAM grants, identity modes."""

import json
from typing import Any

import pytest

from tests.harness import (
    ProgramRun,
    is_secret,
    run_changed,
    run_program,
)
from tests.unit.backup.support import cron_pod, env, service_account

BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
PROD_BUCKET = "example-awx-prod-backups"
PROD_ARN = f"arn:aws:s3:::{PROD_BUCKET}"
BUCKET_KEY = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def _run(stack: str, **changes: Any) -> ProgramRun:
    return run_changed(stack, {path.replace("__", "."): value for path, value in changes.items()})


def _companion(run: ProgramRun, kind: str) -> dict[str, Any]:
    found = [r.plain for r in run.resources if r.type == f"aws:s3/{kind}"]
    assert len(found) == 1, kind
    assert found[0]["bucket"] == run.one(BUCKET).plain["bucket"]
    return found[0]


def _statements(document: str) -> list[dict[str, Any]]:
    parsed = json.loads(document)
    assert parsed["Version"] == "2012-10-17"
    statements: list[dict[str, Any]] = parsed["Statement"]
    return statements


def test_bucket_is_protected_named_and_in_its_region(prod: ProgramRun) -> None:
    bucket = prod.one(BUCKET)
    assert bucket.protect
    assert bucket.plain["bucket"] == PROD_BUCKET
    assert bucket.plain["region"] == "eu-west-1"
    assert bucket.plain["forceDestroy"] is False


def test_public_access_blocked_and_acls_disabled(prod: ProgramRun) -> None:
    block = _companion(prod, "bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {flag: block[flag] for flag in flags} == dict.fromkeys(flags, True)
    ownership = _companion(prod, "bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_encryption_uses_the_kms_key_or_aes256(prod: ProgramRun) -> None:
    kind = "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert _companion(prod, kind)["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": BUCKET_KEY,
            },
            "bucketKeyEnabled": True,
        }
    ]
    assert env(cron_pod(prod))["BACKUP_S3_SSE"] == "aws:kms"
    assert env(cron_pod(prod))["BACKUP_S3_KMS_KEY_ARN"] == BUCKET_KEY
    dev = run_program("dev")
    assert _companion(dev, kind)["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert env(cron_pod(dev))["BACKUP_S3_SSE"] == "AES256"
    assert "BACKUP_S3_KMS_KEY_ARN" not in env(cron_pod(dev))


def test_versioning_and_tls_only_policy(prod: ProgramRun) -> None:
    versioning = _companion(prod, "bucketVersioning:BucketVersioning")
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    policy = _companion(prod, "bucketPolicy:BucketPolicy")
    assert _statements(policy["policy"]) == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [PROD_ARN, f"{PROD_ARN}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_lifecycle_follows_retention_and_storage_class(prod: ProgramRun) -> None:
    rules = {rule["id"]: rule for rule in prod.one(LIFECYCLE).plain["rules"]}
    # retention.days 365 + lifecycle_grace_days 30: the runtime prunes first, precisely.
    assert rules["expire-backups"] == {
        "id": "expire-backups",
        "status": "Enabled",
        "filter": {"prefix": "awx/prod/"},
        "expiration": {"days": 395},
        "noncurrentVersionExpiration": {"noncurrentDays": 14},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1},
    }
    assert rules["remove-expired-delete-markers"]["expiration"] == {
        "expiredObjectDeleteMarker": True
    }
    # Manifests are a few KiB: the size filter keeps them out of the cold class.
    assert rules["cold-storage-for-dumps"] == {
        "id": "cold-storage-for-dumps",
        "status": "Enabled",
        "filter": {"and": {"prefix": "awx/prod/", "objectSizeGreaterThan": 1048576}},
        "transitions": [{"days": 30, "storageClass": "GLACIER_IR"}],
    }


@pytest.mark.parametrize(
    ("storage_class", "days", "grace", "expected_expiry"),
    [
        ("DEEP_ARCHIVE", 90, 30, 395),
        ("STANDARD_IA", 45, 10, 375),
        ("INTELLIGENT_TIERING", 0, 1, 366),
    ],
)
def test_transition_and_expiry_days_come_from_config(
    storage_class: str, days: int, grace: int, expected_expiry: int
) -> None:
    run = _run(
        "prod-aws",
        backup__s3__storage_class=storage_class,
        backup__s3__transition_days=days,
        backup__retention__lifecycle_grace_days=grace,
    )
    rules = {rule["id"]: rule for rule in run.one(LIFECYCLE).plain["rules"]}
    assert rules["expire-backups"]["expiration"] == {"days": expected_expiry}
    if days:
        assert rules["cold-storage-for-dumps"]["transitions"] == [
            {"days": days, "storageClass": storage_class}
        ]
    else:
        assert "cold-storage-for-dumps" not in rules


def test_standard_class_means_no_transition() -> None:
    run = _run("prod-aws", backup__s3__storage_class="STANDARD")
    assert [rule["id"] for rule in run.one(LIFECYCLE).plain["rules"]] == [
        "expire-backups",
        "remove-expired-delete-markers",
    ]


def test_writer_policy_is_exactly_the_least_set(prod: ProgramRun) -> None:
    writer = prod.one(POLICY, "awx-platform-backup-s3-writer")
    assert _statements(writer.plain["policy"]) == [
        {
            "Sid": "ListBackupPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": PROD_ARN,
            "Condition": {"StringLike": {"s3:prefix": ["awx/prod/*"]}},
        },
        {
            "Sid": "BackupObjects",
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            "Resource": f"{PROD_ARN}/awx/prod/*",
        },
        {
            "Sid": "UseBackupKeys",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": [BUCKET_KEY],
        },
    ]


def test_aes_with_kms_adds_only_that_key() -> None:
    envelope_key = "arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-2222-2222-222222222222"
    run = _run(
        "dev",
        backup__encryption={"mode": "aes-256", "kms_key_arn": envelope_key},
    )
    statements = _statements(run.one(POLICY).plain["policy"])
    assert statements[-1] == {
        "Sid": "UseBackupKeys",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": [envelope_key],
    }
    assert env(cron_pod(run))["BACKUP_KMS_KEY_ARN"] == envelope_key


def test_irsa_role_trusts_only_the_backup_service_account(prod: ProgramRun) -> None:
    role = prod.one(ROLE, "awx-platform-backup-s3-role")
    assert _statements(role.plain["assumeRolePolicy"]) == [
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}",
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{ISSUER}:sub": "system:serviceaccount:awx:awx-backup",
                    f"{ISSUER}:aud": "sts.amazonaws.com",
                }
            },
        }
    ]
    attachments = prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert {a.plain["role"]: a.plain["policyArn"] for a in attachments} == {
        "awx-platform-backup-s3-role": (
            "arn:aws:iam::111122223333:policy/awx-platform-backup-s3-writer"
        ),
        "awx-platform-backup-s3-replication-role": (
            "arn:aws:iam::111122223333:policy/awx-platform-backup-s3-replication"
        ),
    }
    account = service_account(prod)
    assert account["name"] == "awx-backup"
    assert account["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/awx-platform-backup-s3-role"
    }
    assert (
        prod.outputs["backup"]["role_arn"] == account["annotations"]["eks.amazonaws.com/role-arn"]
    )
    assert prod.of_type("aws:iam/accessKey:AccessKey") == []


def test_access_key_mode_stores_the_key_in_a_secret_only() -> None:
    run = _run("dev", backup__s3__auth="access-key", backup__s3__irsa=None)
    assert run.of_type(ROLE) == []
    assert service_account(run)["annotations"] == {}
    user = run.one("aws:iam/user:User")
    assert user.plain["path"] == "/awx-platform/"
    attachment = run.one("aws:iam/userPolicyAttachment:UserPolicyAttachment")
    assert attachment.plain["user"] == user.name  # the mocked provider names it like this
    assert attachment.plain["policyArn"].endswith(":policy/awx-platform-backup-s3-writer")
    secret = run.one("kubernetes:core/v1:Secret", "awx-platform-backup-s3-credentials")
    assert secret.plain["metadata"]["name"] == "awx-backup-s3-credentials"
    assert is_secret(secret.inputs["stringData"])
    assert sorted(secret.plain["stringData"]) == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    variables = env(cron_pod(run))
    assert variables["AWS_ACCESS_KEY_ID"] == ("awx-backup-s3-credentials", "AWS_ACCESS_KEY_ID")
    assert variables["AWS_SECRET_ACCESS_KEY"] == (
        "awx-backup-s3-credentials",
        "AWS_SECRET_ACCESS_KEY",
    )
    leaked = "mock-secret-access-key-awx-platform-backup-s3-access-key"
    assert leaked not in json.dumps(run.outputs)
    assert run.secret_outputs == {"admin_password"}


def test_replication_copies_the_prefix_with_the_destination_key(prod: ProgramRun) -> None:
    config = prod.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").plain
    assert config["bucket"] == PROD_BUCKET
    assert config["role"].endswith(":role/awx-platform-backup-s3-replication-role")
    (rule,) = config["rules"]
    assert rule["filter"] == {"prefix": "awx/prod/"}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["destination"] == {
        "bucket": "arn:aws:s3:::example-awx-prod-backups-replica",
        "storageClass": "GLACIER_IR",
        "encryptionConfiguration": {
            "replicaKmsKeyId": (
                "arn:aws:kms:eu-central-1:111122223333:key/11111111-1111-1111-1111-111111111111"
            )
        },
    }
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    trust = _statements(
        prod.one(ROLE, "awx-platform-backup-s3-replication-role").plain["assumeRolePolicy"]
    )
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    statements = _statements(prod.one(POLICY, "awx-platform-backup-s3-replication").plain["policy"])
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in statements] == [
        (
            "ReadReplicationConfiguration",
            ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            PROD_ARN,
        ),
        (
            "ReadSourceVersions",
            [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            f"{PROD_ARN}/awx/prod/*",
        ),
        (
            "WriteReplicas",
            ["s3:ReplicateObject", "s3:ReplicateTags"],
            "arn:aws:s3:::example-awx-prod-backups-replica/awx/prod/*",
        ),
        ("DecryptSource", "kms:Decrypt", BUCKET_KEY),
        (
            "EncryptReplicas",
            "kms:Encrypt",
            "arn:aws:kms:eu-central-1:111122223333:key/11111111-1111-1111-1111-111111111111",
        ),
    ]


def test_minio_uses_the_existing_bucket_and_creates_nothing_in_aws() -> None:
    run = run_program("dev-minio")
    assert [r.type for r in run.resources if r.type.startswith("aws:")] == []
    variables = env(cron_pod(run))
    assert variables["BACKUP_STORAGE_TYPE"] == "s3"
    assert variables["BACKUP_S3_BUCKET"] == "awx-backups"
    assert variables["BACKUP_S3_ENDPOINT_URL"] == "http://minio.minio.svc.cluster.local:9000"
    assert variables["BACKUP_PREFIX"] == "awx/dev/"
    assert variables["AWS_ACCESS_KEY_ID"] == ("awx-backup-minio-credentials", "AWS_ACCESS_KEY_ID")
    assert variables["AWS_SECRET_ACCESS_KEY"] == (
        "awx-backup-minio-credentials",
        "AWS_SECRET_ACCESS_KEY",
    )
    # MinIO refuses SSE headers without its own KMS; backups are sealed client-side anyway.
    assert "BACKUP_S3_SSE" not in variables
    assert "BACKUP_S3_REGION" not in variables
    assert run.outputs["backup"] == {
        "cron_job": "awx-backup",
        "drill_cron_job": "awx-restore-drill",
        "bucket": "awx-backups",
    }
