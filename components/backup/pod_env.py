"""Environment and volumes of the backup, restore and drill pods (names per BACKUP_CONTRACT).

Key material is split by who needs it: the backup CronJob gets only what seals a backup (age
public keys as plain values, or the aes-256 key file); the age private key is mounted into
the restore Job and the restore drill only.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components import pods
from components.pods import READ_ONLY_SECRET_MODE, env_values
from components.settings.backup import BackupSettings, Encryption

SECRETS_DIR = "/var/run/awx-secrets"
"""Where AWX's Secrets are mounted for `backup create` (one directory per Secret)."""
IDENTITY_DIR = "/var/run/awx-backup-identity"
AES_KEY_DIR = "/var/run/awx-backup-key"
DRILL_POSTGRES_PORT = 5432
DRILL_TARGET_DSN = f"host=127.0.0.1 port={DRILL_POSTGRES_PORT} user=postgres dbname=postgres"

Entry = dict[str, Any]


@dataclass(frozen=True)
class PodWiring:
    """Environment entries plus the volumes and mounts they refer to."""

    env: list[Entry] = field(default_factory=list)
    volumes: list[Entry] = field(default_factory=list)
    volume_mounts: list[Entry] = field(default_factory=list)

    def __add__(self, other: "PodWiring") -> "PodWiring":
        return PodWiring(
            self.env + other.env,
            self.volumes + other.volumes,
            self.volume_mounts + other.volume_mounts,
        )


def secret_volume(
    volume: str, secret: pulumi.Input[str], mount_path: pulumi.Input[str]
) -> PodWiring:
    return PodWiring(
        volumes=[
            {
                "name": volume,
                "secret": {"secretName": secret, "defaultMode": READ_ONLY_SECRET_MODE},
            }
        ],
        volume_mounts=[{"name": volume, "mountPath": mount_path, "readOnly": True}],
    )


def deployment_env(instance: pulumi.Input[str], namespace: pulumi.Input[str]) -> PodWiring:
    return PodWiring(
        env=[
            {"name": "AWX_DEPLOYMENT_NAME", "value": instance},
            {"name": "AWX_NAMESPACE", "value": namespace},
        ]
    )


def postgres_env(configuration_secret: pulumi.Input[str]) -> PodWiring:
    """libpq's variables from the keys of the operator's postgres configuration Secret."""
    password = pods.postgres_password_file(configuration_secret)
    return PodWiring(
        env=pods.postgres_env(configuration_secret),
        volumes=[password.volume_spec()],
        volume_mounts=[password.mount()],
    )


def awx_secrets(secret_names: Sequence[pulumi.Input[str]]) -> PodWiring:
    """AWX's Secrets, each under SECRETS_DIR/<secret name>, carried in the backup archive."""
    wiring = PodWiring()
    for index, secret in enumerate(secret_names):
        mount = pulumi.Output.concat(SECRETS_DIR, "/", secret)
        wiring += secret_volume(f"awx-secret-{index}", secret, mount)
    return wiring


def settings_env(settings: BackupSettings, pushgateway_url: str | None) -> PodWiring:
    retention = settings.retention
    max_backups = retention.max_backups
    return PodWiring(
        env=env_values(
            {
                "BACKUP_COMPRESSION": settings.compression,
                "BACKUP_RETENTION_DAYS": str(retention.days),
                "BACKUP_RETENTION_MAX_BACKUPS": None if max_backups is None else str(max_backups),
                "BACKUP_RETENTION_DAILY": str(retention.daily),
                "BACKUP_RETENTION_WEEKLY": str(retention.weekly),
                "BACKUP_RETENTION_MONTHLY": str(retention.monthly),
                "BACKUP_RETENTION_YEARLY": str(retention.yearly),
                "BACKUP_RETENTION_MIN_BACKUPS": str(retention.min_backups),
                "PUSHGATEWAY_URL": pushgateway_url,
            }
        )
    )


def encryption_env(encryption: Encryption, decrypts: bool) -> PodWiring:
    """What seals backups (every pod) and, for pods that decrypt, what opens them."""
    wiring = PodWiring(env=[{"name": "BACKUP_ENCRYPTION", "value": encryption.mode}])
    if encryption.mode == "age":
        wiring += PodWiring(
            env=[{"name": "BACKUP_AGE_RECIPIENTS", "value": ",".join(encryption.age_recipients)}]
        )
        if decrypts and encryption.identity_secret is not None:
            wiring += secret_volume("age-identity", encryption.identity_secret, IDENTITY_DIR)
            wiring += PodWiring(
                env=[{"name": "BACKUP_AGE_IDENTITY_FILE", "value": f"{IDENTITY_DIR}/identity"}]
            )
        return wiring
    if encryption.key_secret is not None:
        wiring += secret_volume("aes-key", encryption.key_secret, AES_KEY_DIR)
        wiring += PodWiring(env=[{"name": "BACKUP_AES_KEY_FILE", "value": f"{AES_KEY_DIR}/key"}])
    if encryption.kms_key_arn is not None:
        wiring += PodWiring(env=[{"name": "BACKUP_KMS_KEY_ARN", "value": encryption.kms_key_arn}])
    return wiring


def restore_target_env() -> PodWiring:
    """The restore target: AWX's own database (PG* set before, expanded by Kubernetes)."""
    return PodWiring(
        env=[
            {
                "name": "BACKUP_TARGET_DSN",
                "value": "host=$(PGHOST) port=$(PGPORT) dbname=$(PGDATABASE) user=$(PGUSER)",
            }
        ]
    )
