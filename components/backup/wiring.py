"""Backups of one AWX deployment: the configured store and the jobs that write to and read it."""

from collections.abc import Mapping

import pulumi

from components.backup.jobs import AwxBackup, AwxBackupArgs, AwxSecretNames
from components.backup.stores import BackupStore, create_store
from components.backup.stores.binding import StoreArgs
from components.config import StackConfig
from components.pods import AwxTarget


def create_backups(
    name: str,
    config: StackConfig,
    awx: AwxTarget,
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
    outputs.update(store.stack_outputs())
    return outputs
