"""IAM documents for the S3 store, as plain data the tests assert statement by statement.

Least privilege for the writer: object actions only under the backup prefix, ListBucket only
with an `s3:prefix` condition on that prefix, KMS use only of the bucket's key. No
DeleteObjectVersion: on the versioned bucket a prune leaves a noncurrent version that only the
lifecycle rule removes, so a stolen pod credential cannot destroy backups for good.
"""

from typing import Any

from components.settings.backup_storage import IrsaTrust, S3Storage

WRITER_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]
KMS_DATA_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
"""What SSE-KMS needs on the bucket key: a data key for PutObject, Decrypt for GetObject and
multipart completion."""

Document = dict[str, Any]


def _document(*statements: Document) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def writer_policy(settings: S3Storage, bucket_arn: str, kms_key_arns: list[str]) -> Document:
    """What the backup pods may do: read, write and delete objects under the prefix only."""
    statements: list[Document] = [
        {
            "Sid": "ListBackupPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{settings.prefix}*"]}},
        },
        {
            "Sid": "BackupObjects",
            "Effect": "Allow",
            "Action": WRITER_OBJECT_ACTIONS,
            "Resource": f"{bucket_arn}/{settings.prefix}*",
        },
    ]
    if kms_key_arns:
        statements.append(
            {
                "Sid": "UseBackupKeys",
                "Effect": "Allow",
                "Action": KMS_DATA_KEY_ACTIONS,
                "Resource": sorted(kms_key_arns),
            }
        )
    return _document(*statements)


def tls_only_bucket_policy(bucket_arn: str) -> Document:
    """Refuse every request that does not arrive over TLS."""
    return _document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def irsa_trust_policy(trust: IrsaTrust, namespace: str, service_account: str) -> Document:
    """Only the backup ServiceAccount's projected token, issued for STS, may assume the role."""
    return _document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": trust.oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{trust.issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{trust.issuer}:aud": "sts.amazonaws.com",
                }
            },
        }
    )


def service_trust_policy(service: str) -> Document:
    return _document(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )


def replication_policy(settings: S3Storage, bucket_arn: str) -> Document:
    """What S3 replication needs: read the source's versions, replicate into the destination."""
    replication = settings.replication
    assert replication is not None
    destination = replication.destination_bucket_arn
    statements: list[Document] = [
        {
            "Sid": "ReadReplicationConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": bucket_arn,
        },
        {
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": f"{bucket_arn}/{settings.prefix}*",
        },
        {
            "Sid": "WriteReplicas",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
            "Resource": f"{destination}/{settings.prefix}*",
        },
    ]
    if settings.kms_key_arn and replication.destination_kms_key_arn:
        statements += [
            {
                "Sid": "DecryptSource",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": settings.kms_key_arn,
            },
            {
                "Sid": "EncryptReplicas",
                "Effect": "Allow",
                "Action": "kms:Encrypt",
                "Resource": replication.destination_kms_key_arn,
            },
        ]
    return _document(*statements)
