"""Backups of one AWX deployment: the configured store and the jobs that write to and read it."""

from collections.abc import Mapping

import pulumi

from components.awx import AwxDeployment
from components.backup import AwxBackup, AwxBackupArgs, AwxSecretNames
from components.config import StackConfig
from components.storage.azure import AzureBackupStore
from components.storage.binding import StoreArgs
from components.storage.gcs import GcsBackupStore
from components.storage.s3 import S3BackupStore
from components.storage.select import BackupStore, create_store


def create_backups(
    name: str,
    config: StackConfig,
    awx: AwxDeployment,
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[BackupStore, AwxBackup]:
    """The store first (its identity must trust the pods' ServiceAccount), then the jobs."""
    service_account = f"{config.awx.name}-backup"
    store = create_store(
        name,
        StoreArgs(
            settings=config.backup,
            namespace=awx.namespace,
            namespace_name=config.awx.namespace,
            service_account=service_account,
            protect=config.awx.protect,
            labels=labels,
        ),
        opts,
    )
    backup = AwxBackup(
        name,
        AwxBackupArgs(
            settings=config.backup,
            runtime=config.runtime,
            store=store.binding,
            service_account=service_account,
            namespace=awx.namespace,
            instance_name=awx.instance_name,
            secrets=AwxSecretNames(
                postgres_configuration=awx.postgres_configuration_secret_name,
                secret_key=awx.secret_key_secret_name,
                admin_password=awx.admin_password_secret_name,
            ),
            pushgateway_url=config.monitoring.pushgateway_url,
            labels=labels,
        ),
        opts,
    )
    return store, backup


def backup_outputs(store: BackupStore, backup: AwxBackup) -> dict[str, object]:
    """What operators need to find their backups; names and identities only, never keys."""
    outputs: dict[str, object] = {"cron_job": backup.cron_job_name}
    if backup.drill_cron_job_name is not None:
        outputs["drill_cron_job"] = backup.drill_cron_job_name
    if backup.restore_job_name is not None:
        outputs["restore_job"] = backup.restore_job_name
    if isinstance(store, S3BackupStore):
        outputs["bucket"] = store.bucket_name
        if store.bucket_arn is not None:
            outputs["bucket_arn"] = store.bucket_arn
        if store.role_arn is not None:
            outputs["role_arn"] = store.role_arn
    elif isinstance(store, AzureBackupStore):
        outputs["storage_account"] = store.account_name
        outputs["container"] = store.container_name
        outputs["identity_client_id"] = store.identity_client_id
    elif isinstance(store, GcsBackupStore):
        outputs["bucket"] = store.bucket_name
        outputs["service_account"] = store.service_account_email
    else:
        outputs["claim"] = store.claim_name
    return outputs
