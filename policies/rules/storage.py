"""Backup storage security on AWS, Azure and GCP: no public access, encryption, versioning,
TLS, lifecycle. Companion resources are matched to their bucket or account by dependency or
by name, since the providers model these settings as separate resources."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import dig, resource_policy, stack_policy

S3_BUCKET = "aws:s3/bucket:Bucket"
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
AZURE_ACCOUNT = "azure-native:storage:StorageAccount"
AZURE_BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
GCS_BUCKET = "gcp:storage/bucket:Bucket"


def _belongs_to(companion: PolicyResource, owner: PolicyResource, name_key: str) -> bool:
    if any(d.urn == owner.urn for d in companion.dependencies or []):
        return True
    owner_name = owner.props.get(name_key)
    return owner_name is not None and companion.props.get(name_key) == owner_name


def _companion_policy(
    *,
    name: str,
    description: str,
    owner_type: str,
    companion_type: str,
    name_key: str,
    good: Callable[[Mapping[str, Any]], bool],
    missing: str,
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        companions = [r for r in args.resources if r.resource_type == companion_type]
        for owner in (r for r in args.resources if r.resource_type == owner_type):
            mine = [c for c in companions if _belongs_to(c, owner, name_key)]
            if not any(good(c.props) for c in mine):
                report(f"{owner.name}: {missing}", owner.urn)

    return stack_policy(name, description, validate)


def _s3_policy(
    name: str,
    description: str,
    companion_type: str,
    good: Callable[[Mapping[str, Any]], bool],
    missing: str,
) -> StackValidationPolicy:
    """An S3 bucket setting that lives in a companion resource naming the bucket."""
    return _companion_policy(
        name=name,
        description=description,
        owner_type=S3_BUCKET,
        companion_type=companion_type,
        name_key="bucket",
        good=good,
        missing=missing,
    )


def _blocks_all_public_access(props: Mapping[str, Any]) -> bool:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    return all(props.get(flag) is True for flag in flags)


def _encrypts(props: Mapping[str, Any]) -> bool:
    return any(
        dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in ("AES256", "aws:kms")
        for rule in props.get("rules") or []
    )


def _versioned(props: Mapping[str, Any]) -> bool:
    return dig(props, "versioningConfiguration", "status") == "Enabled"


def _denies_plain_http(props: Mapping[str, Any]) -> bool:
    document = props.get("policy")
    try:
        statements = json.loads(document)["Statement"] if isinstance(document, str) else []
    except (ValueError, KeyError, TypeError):
        return False
    return any(
        s.get("Effect") == "Deny"
        and dig(s, "Condition", "Bool", "aws:SecureTransport") in ("false", False)
        for s in statements
    )


def _expires_and_aborts_uploads(props: Mapping[str, Any]) -> bool:
    rules = [r for r in props.get("rules") or [] if r.get("status") == "Enabled"]
    expires = any(dig(r, "expiration", "days") for r in rules)
    aborts = any(dig(r, "abortIncompleteMultipartUpload", "daysAfterInitiation") for r in rules)
    return expires and aborts


def _soft_delete(props: Mapping[str, Any]) -> bool:
    return dig(props, "deleteRetentionPolicy", "enabled") is True


S3_POLICIES = [
    _s3_policy(
        "aws-s3-public-access-block",
        "S3 buckets block every form of public access.",
        S3_PUBLIC_ACCESS_BLOCK,
        _blocks_all_public_access,
        "no public access block with all four settings true",
    ),
    _s3_policy(
        "aws-s3-encryption",
        "S3 buckets encrypt objects at rest (AES256 or aws:kms).",
        S3_ENCRYPTION,
        _encrypts,
        "no default server-side encryption",
    ),
    _s3_policy(
        "aws-s3-versioning",
        "S3 buckets keep object versions.",
        S3_VERSIONING,
        _versioned,
        "versioning is not enabled",
    ),
    _s3_policy(
        "aws-s3-tls-only",
        "S3 bucket policies deny requests without TLS.",
        S3_POLICY,
        _denies_plain_http,
        "no bucket policy denying aws:SecureTransport false",
    ),
    _s3_policy(
        "aws-s3-lifecycle",
        "S3 buckets expire old objects and abort stale multipart uploads.",
        S3_LIFECYCLE,
        _expires_and_aborts_uploads,
        "no enabled lifecycle rules with expiration and abortIncompleteMultipartUpload",
    ),
]
AZURE_SOFT_DELETE = _companion_policy(
    name="azure-storage-soft-delete",
    description="Azure storage accounts keep deleted blobs (soft delete).",
    owner_type=AZURE_ACCOUNT,
    companion_type=AZURE_BLOB_SERVICE,
    name_key="accountName",
    good=_soft_delete,
    missing="blob soft delete (deleteRetentionPolicy) is not enabled",
)


def _resource_check(
    name: str,
    description: str,
    resource_type: str,
    problem: Callable[[Mapping[str, Any]], str | None],
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == resource_type:
            message = problem(args.props)
            if message:
                report(message)

    return resource_policy(name, description, validate)


def _lifecycle_deletes(props: Mapping[str, Any]) -> bool:
    return any(
        dig(rule, "action", "type") == "Delete" for rule in props.get("lifecycleRules") or []
    )


RESOURCE_POLICIES = [
    _resource_check(
        "azure-storage-https-only", "Azure storage accounts accept HTTPS only.", AZURE_ACCOUNT,
        lambda p: None if p.get("enableHttpsTrafficOnly") is True
        else "enableHttpsTrafficOnly must be true",
    ),
    _resource_check(
        "azure-storage-min-tls", "Azure storage accounts require TLS 1.2 or later.", AZURE_ACCOUNT,
        lambda p: None if p.get("minimumTlsVersion") in ("TLS1_2", "TLS1_3")
        else f"minimumTlsVersion must be TLS1_2 or later (got {p.get('minimumTlsVersion')})",
    ),
    _resource_check(
        "azure-storage-no-public-blob", "Azure storage accounts allow no anonymous blob access.",
        AZURE_ACCOUNT,
        lambda p: None if p.get("allowBlobPublicAccess") is False
        else "allowBlobPublicAccess must be false",
    ),
    _resource_check(
        "gcp-gcs-uniform-access", "GCS buckets use uniform bucket-level access.", GCS_BUCKET,
        lambda p: None if p.get("uniformBucketLevelAccess") is True
        else "uniformBucketLevelAccess must be true",
    ),
    _resource_check(
        "gcp-gcs-public-access-prevention", "GCS buckets enforce public access prevention.",
        GCS_BUCKET,
        lambda p: None if p.get("publicAccessPrevention") == "enforced"
        else "publicAccessPrevention must be 'enforced'",
    ),
    _resource_check(
        "gcp-gcs-versioning", "GCS buckets keep object versions.", GCS_BUCKET,
        lambda p: None if dig(p, "versioning", "enabled") is True
        else "versioning.enabled must be true",
    ),
    _resource_check(
        "gcp-gcs-lifecycle", "GCS buckets delete objects past the retention horizon.", GCS_BUCKET,
        lambda p: None if _lifecycle_deletes(p) else "no lifecycle rule with a Delete action",
    ),
]  # fmt: skip

POLICIES = [*S3_POLICIES, AZURE_SOFT_DELETE, *RESOURCE_POLICIES]
