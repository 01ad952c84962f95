"""PvcBackupStore: a protected PersistentVolumeClaim for clusters without object storage."""

import pulumi
import pulumi_kubernetes as k8s

from components.backup.stores.binding import StoreArgs, StoreBinding, common_env

MOUNT_PATH = "/backups"
VOLUME = "backups"


class PvcBackupStore(pulumi.ComponentResource):
    """Backups as files on a volume in AWX's namespace.

    ReadWriteOnce: backup, restore and drill pods run at different times and share it one at a
    time. A volume survives pod and node loss but not the cluster or its storage backend, so
    it is the fallback, not the recommendation (docs/backups.md).
    """

    claim_name: pulumi.Output[str]
    """Name of the PersistentVolumeClaim."""
    binding: StoreBinding
    """How the backup pods mount the volume."""

    def __init__(
        self, name: str, args: StoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:storage:PvcBackupStore", name, None, opts)
        settings = args.settings.pvc
        claim_name = f"{args.service_account}s"
        spec: dict[str, object] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": settings.size}},
        }
        if settings.storage_class is not None:
            spec["storageClassName"] = settings.storage_class
        claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-claim",
            metadata={"name": claim_name, "namespace": args.namespace, "labels": dict(args.labels)},
            spec=spec,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.claim_name = claim.metadata.apply(lambda metadata: str(metadata.name))
        self.binding = StoreBinding(
            env=[
                *common_env(args.settings, prefix=None),
                {"name": "BACKUP_PVC_PATH", "value": MOUNT_PATH},
            ],
            volumes=[{"name": VOLUME, "persistentVolumeClaim": {"claimName": self.claim_name}}],
            volume_mounts=[{"name": VOLUME, "mountPath": MOUNT_PATH}],
        )
        self.register_outputs({"claim_name": self.claim_name})

    def stack_outputs(self) -> dict[str, object]:
        return {"claim": self.claim_name}
