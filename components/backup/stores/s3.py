"""S3BackupStore: a hardened, versioned S3 bucket with lifecycle retention and a least-privilege
writer identity (IRSA role or access key). An existing bucket on an S3-compatible store is
s3_compatible.py's, which needs no AWS SDK."""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.backup.stores import s3_policies
from components.backup.stores.binding import StoreArgs, StoreBinding, StoreEnv, cloud_tags
from components.backup.stores.s3_compatible import (
    TYPE_TOKEN,
    access_key_env,
    s3_env,
    s3_settings,
)
from components.settings.backup_storage import S3Storage

COLD_MIN_OBJECT_BYTES = 1024 * 1024
"""Only objects larger than this change storage class: dumps do, manifest.json (a few KiB)
never does, so listing and verifying never meet an archived object."""


class S3BackupStore(pulumi.ComponentResource):
    """Backups in an S3 bucket created here."""

    bucket_name: pulumi.Output[str]
    """Name of the backup bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""
    role_arn: pulumi.Output[str] | None
    """IAM role the backup pods assume through IRSA (auth irsa)."""
    binding: StoreBinding
    """How the backup pods reach the bucket."""

    def __init__(
        self, name: str, args: StoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        self._settings = s3_settings(args)
        assert self._settings.creates_bucket, "s3_compatible.py serves an endpoint_url"
        self.role_arn = None
        bucket = self._create_bucket()
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.binding = self._aws_binding(bucket)
        outputs: dict[str, Any] = {"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn}
        if self.role_arn is not None:
            outputs["role_arn"] = self.role_arn
        self.register_outputs(outputs)

    def stack_outputs(self) -> dict[str, object]:
        outputs: dict[str, object] = {"bucket": self.bucket_name, "bucket_arn": self.bucket_arn}
        if self.role_arn is not None:
            outputs["role_arn"] = self.role_arn
        return outputs

    def _opts(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _env(self, sse: str | None) -> StoreEnv:
        return s3_env(self._args, sse)

    def _create_bucket(self) -> aws.s3.Bucket:
        settings = self._settings
        region = settings.region
        tags = cloud_tags(self._args.labels)
        bucket = aws.s3.Bucket(
            f"{self._name}-bucket",
            bucket=settings.bucket,
            region=region,
            force_destroy=False,
            tags=tags,
            opts=self._opts(protect=self._args.protect),
        )
        companion = self._opts(depends_on=[bucket])
        aws.s3.BucketOwnershipControls(
            f"{self._name}-ownership",
            bucket=bucket.bucket,
            region=region,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=companion,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{self._name}-public-access-block",
            bucket=bucket.bucket,
            region=region,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=companion,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._name}-encryption",
            bucket=bucket.bucket,
            region=region,
            rules=[self._encryption_rule()],
            opts=companion,
        )
        versioning = aws.s3.BucketVersioning(
            f"{self._name}-versioning",
            bucket=bucket.bucket,
            region=region,
            versioning_configuration={"status": "Enabled"},
            opts=companion,
        )
        aws.s3.BucketPolicy(
            f"{self._name}-tls-only",
            bucket=bucket.bucket,
            region=region,
            policy=_json(bucket.arn, s3_policies.tls_only_bucket_policy),
            opts=companion,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{self._name}-lifecycle",
            bucket=bucket.bucket,
            region=region,
            rules=lifecycle_rules(settings, self._args.settings.retention.expiry_days),
            opts=self._opts(depends_on=[bucket, versioning]),
        )
        if settings.replication is not None:
            self._replicate(bucket, versioning)
        return bucket

    def _encryption_rule(self) -> Any:
        kms_key = self._settings.kms_key_arn
        if kms_key is None:
            return {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
        return {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": kms_key,
            },
            # One KMS call per bucket key period instead of per object.
            "bucket_key_enabled": True,
        }

    def _aws_binding(self, bucket: aws.s3.Bucket) -> StoreBinding:
        settings = self._settings
        sse = "AES256" if settings.kms_key_arn is None else "aws:kms"
        encryption = self._args.settings.encryption
        kms_keys = [
            key
            for key in (settings.kms_key_arn, encryption.kms_key_arn)
            if key is not None and (key == settings.kms_key_arn or encryption.mode == "aes-256")
        ]
        policy = aws.iam.Policy(
            f"{self._name}-writer",
            description=f"awx-platform backups: objects under {settings.bucket}/{settings.prefix}",
            policy=_json(
                bucket.arn, lambda arn: s3_policies.writer_policy(settings, arn, kms_keys)
            ),
            tags=cloud_tags(self._args.labels),
            opts=self._opts(),
        )
        if settings.auth == "irsa":
            return self._irsa_binding(policy, sse)
        return self._access_key_binding(policy, sse)

    def _irsa_binding(self, policy: aws.iam.Policy, sse: str) -> StoreBinding:
        trust = self._settings.irsa
        assert trust is not None, "validated: auth irsa has an irsa section"
        trust_policy = s3_policies.irsa_trust_policy(
            trust, self._args.namespace_name, self._args.service_account
        )
        role = aws.iam.Role(
            f"{self._name}-role",
            description="awx-platform backup pods (IRSA)",
            assume_role_policy=json.dumps(trust_policy),
            max_session_duration=43200,
            tags=cloud_tags(self._args.labels),
            opts=self._opts(),
        )
        aws.iam.RolePolicyAttachment(
            f"{self._name}-role-writer", role=role.name, policy_arn=policy.arn, opts=self._opts()
        )
        self.role_arn = role.arn
        return StoreBinding(
            env=self._env(sse),
            service_account_annotations={"eks.amazonaws.com/role-arn": role.arn},
        )

    def _access_key_binding(self, policy: aws.iam.Policy, sse: str) -> StoreBinding:
        user = aws.iam.User(
            f"{self._name}-user",
            path="/awx-platform/",
            tags=cloud_tags(self._args.labels),
            opts=self._opts(),
        )
        aws.iam.UserPolicyAttachment(
            f"{self._name}-user-writer", user=user.name, policy_arn=policy.arn, opts=self._opts()
        )
        key = aws.iam.AccessKey(f"{self._name}-access-key", user=user.name, opts=self._opts())
        secret_name = f"{self._args.service_account}-s3-credentials"
        k8s.core.v1.Secret(
            f"{self._name}-credentials",
            metadata={
                "name": secret_name,
                "namespace": self._args.namespace,
                "labels": dict(self._args.labels),
            },
            string_data={
                "AWS_ACCESS_KEY_ID": key.id,
                "AWS_SECRET_ACCESS_KEY": key.secret.apply(pulumi.Output.secret),
            },
            opts=self._opts(),
        )
        return StoreBinding(
            env=[
                *self._env(sse),
                *access_key_env(secret_name),
            ]
        )

    def _replicate(self, bucket: aws.s3.Bucket, versioning: aws.s3.BucketVersioning) -> None:
        settings = self._settings
        replication = settings.replication
        assert replication is not None
        role = aws.iam.Role(
            f"{self._name}-replication-role",
            description="awx-platform backup bucket replication",
            assume_role_policy=json.dumps(s3_policies.service_trust_policy("s3.amazonaws.com")),
            tags=cloud_tags(self._args.labels),
            opts=self._opts(),
        )
        policy = aws.iam.Policy(
            f"{self._name}-replication",
            policy=_json(bucket.arn, lambda arn: s3_policies.replication_policy(settings, arn)),
            opts=self._opts(),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._name}-replication-attach",
            role=role.name,
            policy_arn=policy.arn,
            opts=self._opts(),
        )
        destination: dict[str, Any] = {
            "bucket": replication.destination_bucket_arn,
            "storage_class": replication.storage_class,
        }
        rule: Any = {
            "id": "replicate-backups",
            "status": "Enabled",
            "priority": 1,
            "filter": {"prefix": settings.prefix},
            # Prunes do not follow: the replica keeps its own copy until its own lifecycle.
            "delete_marker_replication": {"status": "Disabled"},
            "destination": destination,
        }
        if replication.destination_kms_key_arn is not None:
            destination["encryption_configuration"] = {
                "replica_kms_key_id": replication.destination_kms_key_arn
            }
            rule["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        aws.s3.BucketReplicationConfig(
            f"{self._name}-replication",
            bucket=bucket.bucket,
            region=settings.region,
            role=role.arn,
            rules=[rule],
            opts=self._opts(depends_on=[versioning, attachment]),
        )


def lifecycle_rules(settings: S3Storage, expiry_days: int) -> list[Any]:
    """Lifecycle rules for the backup prefix (docs/backups.md explains each)."""
    prefix_filter = {"prefix": settings.prefix}
    rules: list[Any] = [
        {
            "id": "expire-backups",
            "status": "Enabled",
            "filter": prefix_filter,
            "expiration": {"days": expiry_days},
            "noncurrent_version_expiration": {"noncurrent_days": settings.noncurrent_version_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
        },
        {
            # Once the noncurrent versions are gone, their delete markers only slow listings.
            "id": "remove-expired-delete-markers",
            "status": "Enabled",
            "filter": prefix_filter,
            "expiration": {"expired_object_delete_marker": True},
        },
    ]
    if settings.storage_class != "STANDARD" and settings.transition_days > 0:
        size = {"object_size_greater_than": COLD_MIN_OBJECT_BYTES}
        rules.append(
            {
                "id": "cold-storage-for-dumps",
                "status": "Enabled",
                "filter": {"and_": {**prefix_filter, **size}} if settings.prefix else size,
                "transitions": [
                    {"days": settings.transition_days, "storage_class": settings.storage_class}
                ],
            }
        )
    return rules


def _json(arn: pulumi.Output[str], document: Callable[[str], dict[str, Any]]) -> pulumi.Output[str]:
    return arn.apply(lambda value: json.dumps(document(value)))
