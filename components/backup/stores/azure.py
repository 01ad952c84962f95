"""AzureBackupStore: a StorageV2 account locked to HTTPS/TLS 1.2 with soft delete, versioning
and a lifecycle policy, a private container, and a workload identity for that container only."""

from typing import Any

import pulumi
import pulumi_azure_native as azure

from components.backup.stores.binding import StoreArgs, StoreBinding, cloud_tags, common_env
from components.settings.backup_storage import AzureStorage

STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
"""Built-in role: read, write and delete blobs (and containers' blobs), nothing on the account."""
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


class AzureBackupStore(pulumi.ComponentResource):
    """Backups in an Azure Blob container, reached with AKS workload identity."""

    account_name: pulumi.Output[str]
    """Storage account holding the container."""
    container_name: pulumi.Output[str]
    """Container the backups are written to."""
    identity_client_id: pulumi.Output[str]
    """Client ID of the user-assigned identity the backup pods use."""
    binding: StoreBinding
    """How the backup pods reach the container."""

    def __init__(
        self, name: str, args: StoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:storage:AzureBackupStore", name, None, opts)
        settings = args.settings.azure
        assert settings is not None, "validated: storage_type azure has an azure section"
        self._name = name
        self._args = args
        self._settings = settings
        tags = cloud_tags(args.labels)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)

        account = azure.storage.StorageAccount(
            f"{name}-account",
            account_name=settings.storage_account,
            resource_group_name=settings.resource_group,
            location=settings.location,
            kind="StorageV2",
            sku={"name": f"Standard_{settings.redundancy}"},
            access_tier=azure.storage.AccessTier.HOT,
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            # Entra ID only: no account keys or SAS tokens that could leak and outlive a pod.
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            tags=tags,
            opts=protected,
        )
        after_account = pulumi.ResourceOptions(parent=self, depends_on=[account])
        azure.storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=settings.storage_account,
            resource_group_name=settings.resource_group,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": settings.soft_delete_days},
            container_delete_retention_policy={"enabled": True, "days": settings.soft_delete_days},
            opts=after_account,
        )
        container = azure.storage.BlobContainer(
            f"{name}-container",
            account_name=settings.storage_account,
            resource_group_name=settings.resource_group,
            container_name=settings.container,
            public_access=azure.storage.PublicAccess.NONE,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account], protect=args.protect),
        )
        azure.storage.ManagementPolicy(
            f"{name}-lifecycle",
            account_name=settings.storage_account,
            resource_group_name=settings.resource_group,
            management_policy_name="default",
            policy={"rules": [lifecycle_rule(settings, args.settings.retention.expiry_days)]},
            opts=after_account,
        )
        identity = self._workload_identity(container, tags)

        self.account_name = pulumi.Output.from_input(settings.storage_account)
        self.container_name = pulumi.Output.from_input(settings.container)
        self.identity_client_id = identity.client_id
        self.binding = StoreBinding(
            env=[
                *common_env(args.settings, settings.prefix),
                {
                    "name": "BACKUP_AZURE_ACCOUNT_URL",
                    "value": f"https://{settings.storage_account}.blob.core.windows.net",
                },
                {"name": "BACKUP_AZURE_CONTAINER", "value": settings.container},
            ],
            service_account_annotations={"azure.workload.identity/client-id": identity.client_id},
            pod_labels={"azure.workload.identity/use": "true"},
        )
        self.register_outputs(
            {
                "account_name": self.account_name,
                "container_name": self.container_name,
                "identity_client_id": self.identity_client_id,
            }
        )

    def stack_outputs(self) -> dict[str, object]:
        return {
            "storage_account": self.account_name,
            "container": self.container_name,
            "identity_client_id": self.identity_client_id,
        }

    def _workload_identity(
        self, container: azure.storage.BlobContainer, tags: dict[str, str]
    ) -> azure.managedidentity.UserAssignedIdentity:
        settings, args = self._settings, self._args
        child = pulumi.ResourceOptions(parent=self)
        identity_name = f"{settings.storage_account}-backup"
        identity = azure.managedidentity.UserAssignedIdentity(
            f"{self._name}-identity",
            resource_name_=identity_name,
            resource_group_name=settings.resource_group,
            location=settings.location,
            tags=tags,
            opts=child,
        )
        azure.managedidentity.FederatedIdentityCredential(
            f"{self._name}-federated-credential",
            resource_name_=identity_name,
            federated_identity_credential_resource_name=args.service_account,
            resource_group_name=settings.resource_group,
            issuer=settings.oidc_issuer_url,
            subject=f"system:serviceaccount:{args.namespace_name}:{args.service_account}",
            audiences=[TOKEN_EXCHANGE_AUDIENCE],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[identity]),
        )
        azure.authorization.RoleAssignment(
            f"{self._name}-blob-writer",
            scope=container.id,
            role_definition_id=(
                f"/subscriptions/{settings.subscription_id}/providers/"
                f"Microsoft.Authorization/roleDefinitions/{STORAGE_BLOB_DATA_CONTRIBUTOR}"
            ),
            principal_id=identity.principal_id,
            principal_type="ServicePrincipal",
            description="awx-platform backup pods: blobs in the backup container only",
            opts=child,
        )
        return identity


def lifecycle_rule(settings: AzureStorage, expiry_days: int) -> Any:
    """Tiering and expiry for blobs under the backup prefix; old versions go after soft delete.

    Only online tiers (Cool, Cold): manifests, which the filters cannot single out, must stay
    readable. Uncommitted blocks of a killed upload are discarded by Azure after 7 days.
    """
    base_blob: dict[str, Any] = {"delete": {"days_after_modification_greater_than": expiry_days}}
    if settings.cool_after_days:
        base_blob["tier_to_cool"] = {
            "days_after_modification_greater_than": settings.cool_after_days
        }
    if settings.cold_after_days:
        base_blob["tier_to_cold"] = {
            "days_after_modification_greater_than": settings.cold_after_days
        }
    return {
        "name": "awx-backups",
        "enabled": True,
        "type": "Lifecycle",
        "definition": {
            "filters": {
                "blob_types": ["blockBlob"],
                "prefix_match": [f"{settings.container}/{settings.prefix}"],
            },
            "actions": {
                "base_blob": base_blob,
                "version": {
                    "delete": {"days_after_creation_greater_than": settings.soft_delete_days}
                },
            },
        },
    }
