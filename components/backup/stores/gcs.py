"""GcsBackupStore: a GCS bucket with uniform access, public access prevention, versioning,
lifecycle retention, optional dual-region and CMEK, and a workload-identity service account
with object admin on this bucket only."""

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.backup.stores.binding import StoreArgs, StoreBinding, cloud_tags, common_env
from components.settings.backup_storage import GcsStorage

DATA_OBJECT_SUFFIXES = [".age", ".aes256"]
"""Endings of the runtime's encrypted objects (dumps, secrets). manifest.json has neither, so
storage-class rules matching these leave the manifests in STANDARD."""


class GcsBackupStore(pulumi.ComponentResource):
    """Backups in a GCS bucket, reached with GKE workload identity."""

    bucket_name: pulumi.Output[str]
    """Name of the backup bucket."""
    service_account_email: pulumi.Output[str]
    """Google service account the backup pods act as."""
    binding: StoreBinding
    """How the backup pods reach the bucket."""

    def __init__(
        self, name: str, args: StoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:storage:GcsBackupStore", name, None, opts)
        settings = args.settings.gcs
        assert settings is not None, "validated: storage_type gcs has a gcs section"
        bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=settings.bucket,
            project=settings.project_id,
            location=settings.location,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            lifecycle_rules=lifecycle_rules(settings, args.settings.retention.expiry_days),
            force_destroy=False,
            labels=cloud_tags(args.labels),
            custom_placement_config=_dual_region(settings),
            rpo="ASYNC_TURBO" if settings.turbo_replication else None,
            encryption=_cmek(settings),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{name}-service-account",
            account_id=_account_id(args.service_account),
            project=settings.project_id,
            display_name="awx-platform backup pods",
            opts=child,
        )
        pool = f"{settings.project_id}.svc.id.goog"
        gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity",
            service_account_id=account.name,
            role="roles/iam.workloadIdentityUser",
            member=f"serviceAccount:{pool}[{args.namespace_name}/{args.service_account}]",
            opts=child,
        )
        gcp.storage.BucketIAMMember(
            f"{name}-object-admin",
            bucket=bucket.name,
            role="roles/storage.objectAdmin",
            member=pulumi.Output.concat("serviceAccount:", account.email),
            opts=child,
        )
        self.bucket_name = bucket.name
        self.service_account_email = account.email
        self.binding = StoreBinding(
            env=[
                *common_env(args.settings, settings.prefix),
                {"name": "BACKUP_GCS_BUCKET", "value": settings.bucket},
                {"name": "BACKUP_GCS_PROJECT", "value": settings.project_id},
            ],
            service_account_annotations={"iam.gke.io/gcp-service-account": account.email},
        )
        self.register_outputs(
            {"bucket_name": self.bucket_name, "service_account_email": self.service_account_email}
        )

    def stack_outputs(self) -> dict[str, object]:
        return {"bucket": self.bucket_name, "service_account": self.service_account_email}


def _account_id(service_account: str) -> str:
    # Service account IDs are 6-30 characters: [a-z][a-z0-9-]{4,28}[a-z0-9].
    return service_account[:30].rstrip("-").ljust(6, "0")


def _dual_region(settings: GcsStorage) -> Any:
    if not settings.data_locations:
        return None
    return {"data_locations": [region.upper() for region in settings.data_locations]}


def _cmek(settings: GcsStorage) -> Any:
    if settings.kms_key_name is None:
        return None
    return {"default_kms_key_name": settings.kms_key_name}


def lifecycle_rules(settings: GcsStorage, expiry_days: int) -> list[Any]:
    """Delete by age, drop old versions, abort stale uploads, and move data objects colder."""
    prefixes = {"matches_prefixes": [settings.prefix]} if settings.prefix else {}
    rules: list[Any] = [
        {"action": {"type": "Delete"}, "condition": {"age": expiry_days, **prefixes}},
        {
            "action": {"type": "Delete"},
            "condition": {
                "days_since_noncurrent_time": settings.noncurrent_version_days,
                "with_state": "ARCHIVED",
                **prefixes,
            },
        },
        {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 1}},
    ]
    if settings.storage_class != "STANDARD" and settings.transition_days > 0:
        rules.append(
            {
                "action": {"type": "SetStorageClass", "storage_class": settings.storage_class},
                "condition": {
                    "age": settings.transition_days,
                    "matches_storage_classes": ["STANDARD"],
                    "matches_suffixes": DATA_OBJECT_SUFFIXES,
                    **prefixes,
                },
            }
        )
    return rules
