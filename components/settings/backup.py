"""The `backup` section: where backups go, when they run, how long they are kept, how sealed."""

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from components.settings.backup_jobs import DrillSettings, JobSettings
from components.settings.backup_storage import AzureStorage, GcsStorage, PvcStorage, S3Storage
from components.settings.base import CronSchedule, DnsName, FieldError, Section

__all__ = [
    "AzureStorage",
    "BackupSettings",
    "DrillSettings",
    "Encryption",
    "GcsStorage",
    "JobSettings",
    "PvcStorage",
    "Retention",
    "S3Storage",
]


class Retention(Section):
    days: int = Field(default=90, ge=1, le=36500)
    """Backups older than this are pruned, whatever the daily/weekly/monthly/yearly rules
    select (keep it above their reach); only min_backups and the newest backup survive it. The
    storage lifecycle deletes after days + lifecycle_grace_days (docs/backups.md)."""
    max_backups: int | None = Field(default=None, ge=1)
    """Most complete backups kept; no count limit when empty."""
    daily: int = Field(default=7, ge=0)
    """Newest backup of each of this many recent days is kept."""
    weekly: int = Field(default=4, ge=0)
    """Newest backup of each of this many recent ISO weeks is kept."""
    monthly: int = Field(default=12, ge=0)
    """Newest backup of each of this many recent months is kept."""
    yearly: int = Field(default=1, ge=0)
    """Newest backup of each of this many recent years is kept."""
    min_backups: int = Field(default=3, ge=1)
    """Pruning never leaves fewer complete backups than this."""
    lifecycle_grace_days: int = Field(default=30, ge=1, le=3650)
    """Days the storage's own expiry rule waits beyond `days`. The runtime prunes precisely
    (never the newest backup, never below min_backups); the lifecycle rule is a backstop for
    objects the runtime no longer tracks and must not fire first: it deletes min_backups'
    survivors only when no backup has succeeded for `days` plus this grace."""

    @property
    def expiry_days(self) -> int:
        """When the storage lifecycle deletes a backup object: the age limit plus the grace."""
        return self.days + self.lifecycle_grace_days

    @model_validator(mode="after")
    def _count_covers_minimum(self) -> Self:
        if self.max_backups is not None and self.max_backups < self.min_backups:
            raise FieldError(
                "max_backups",
                f"must be at least min_backups ({self.min_backups}); got {self.max_backups}",
            )
        return self


_AGE_RECIPIENT = re.compile(r"^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$")


class Encryption(Section):
    mode: Literal["age", "aes-256"] = "age"
    """age: X25519 public keys, the backup pod never holds a decryption key; aes-256: AWS
    Encryption SDK format with a raw key from a Secret or an AWS KMS key."""
    age_recipients: list[str] = []
    """age public keys (age1...) that can decrypt backups; keep the private keys offline."""
    key_secret: DnsName | None = None
    """aes-256: existing Secret (key `key`) holding a base64 32-byte key."""
    kms_key_arn: str | None = Field(default=None, pattern=r"^arn:aws[\w-]*:kms:\S+$")
    """aes-256: AWS KMS key that wraps the data keys instead of a raw key."""
    identity_secret: DnsName | None = None
    """age: existing Secret (key `identity`) holding an age private key (AGE-SECRET-KEY-1...)
    for the restore Job and the restore drill. Never mounted into the backup CronJob."""

    @field_validator("age_recipients")
    @classmethod
    def _recipients_are_age_keys(cls, recipients: list[str]) -> list[str]:
        for recipient in recipients:
            if not _AGE_RECIPIENT.fullmatch(recipient):
                raise ValueError(
                    f"{recipient!r} is not an age X25519 public key (age1 followed by 58 "
                    "bech32 characters, as printed by age-keygen -y)"
                )
        return recipients

    def missing_key(self) -> FieldError | None:
        """What keeps this encryption from sealing a backup, if anything."""
        if self.mode == "age" and not self.age_recipients:
            return FieldError(
                "age_recipients",
                "needs at least one age public key when mode is 'age' (age-keygen -y KEYFILE)",
            )
        if self.mode == "aes-256" and (self.key_secret is None) == (self.kms_key_arn is None):
            return FieldError(
                "key_secret", "mode 'aes-256' needs exactly one of key_secret or kms_key_arn"
            )
        return None


StorageType = Literal["s3", "azure", "gcs", "pvc"]


class BackupSettings(Section):
    enabled: bool = True
    """Run scheduled backups."""
    storage_type: StorageType = "pvc"
    """Where backups go: s3 (or S3-compatible), azure, gcs, or pvc (a volume in the cluster)."""
    s3: S3Storage | None = None
    """S3 settings; required when storage_type is s3."""
    azure: AzureStorage | None = None
    """Azure Blob settings; required when storage_type is azure."""
    gcs: GcsStorage | None = None
    """Google Cloud Storage settings; required when storage_type is gcs."""
    pvc: PvcStorage = PvcStorage()
    """Volume settings, used when storage_type is pvc."""
    schedule: CronSchedule = "0 2 * * *"
    """When backups run (cron; job.time_zone, else the cluster's time zone)."""
    job: JobSettings = JobSettings()
    """Resources, deadlines and history of the backup CronJob (also used by the restore Job)."""
    retention: Retention = Retention()
    """How long and how many backups are kept."""
    compression: Literal["zstd", "gzip", "none"] = "zstd"
    """Compression of the dump stream (zstd level 3, gzip level 6)."""
    encryption: Encryption = Encryption()
    """How backups are encrypted before they leave the pod."""
    restore: str | None = Field(
        default=None, pattern=r"^(latest|awx-backup-[a-z0-9-]+-\d{8}-\d{6})$"
    )
    """Name of a backup to restore (or `latest`); creates a one-off restore Job. Scale AWX
    down first: the restore writes into AWX's own database."""
    restore_clean: bool = False
    """Restore Job: drop existing objects first (`--clean`); without it a non-empty database
    is refused."""
    restore_secrets: bool = False
    """Restore Job: also write AWX's Secrets (secret_key, admin password, postgres
    configuration) from the backup (`--restore-secrets`); grants the Job write access to them."""
    drill_schedule: CronSchedule = "0 4 * * 0"
    """When the restore drill verifies the newest backup and restores it into a scratch database."""
    drill: DrillSettings = DrillSettings()
    """The restore drill's pod: scratch PostgreSQL image, resources, deadlines."""

    @model_validator(mode="after")
    def _backups_can_be_sealed(self) -> Self:
        # Backups are never written unencrypted, so an enabled backup needs its keys.
        problem = self.encryption.missing_key() if self.enabled else None
        if problem is not None:
            raise FieldError(f"encryption.{problem.field}", str(problem))
        return self

    @model_validator(mode="after")
    def _selected_storage_is_configured(self) -> Self:
        sections = {"s3": self.s3, "azure": self.azure, "gcs": self.gcs}
        for kind, section in sections.items():
            if kind == self.storage_type and section is None:
                raise FieldError(kind, f"is required when storage_type is {kind!r}")
            if kind != self.storage_type and section is not None:
                raise FieldError(
                    kind,
                    f"is set but storage_type is {self.storage_type!r}; remove it or set "
                    f"storage_type to {kind!r}",
                )
        return self

    @model_validator(mode="after")
    def _kms_needs_aws_credentials(self) -> Self:
        # The pods get AWS credentials (and the IAM grant on the key) only from an AWS S3 store.
        on_aws = self.storage_type == "s3" and self.s3 is not None and self.s3.creates_bucket
        if self.encryption.kms_key_arn is not None and not on_aws:
            raise FieldError(
                "encryption.kms_key_arn",
                "needs storage_type s3 on AWS (no endpoint_url): only there do the backup pods "
                "get AWS credentials and a grant on the key; use key_secret otherwise",
            )
        return self

    @model_validator(mode="after")
    def _restore_needs_the_store(self) -> Self:
        if self.restore is not None and not self.enabled:
            raise FieldError(
                "restore",
                "needs enabled: true (the restore Job reads the store this section declares)",
            )
        return self

    @model_validator(mode="after")
    def _decryption_key_for_readers(self) -> Self:
        # Restore and drill decrypt; with age that needs the private key, kept out of backups.
        readers = self.enabled and (self.drill.enabled or self.restore is not None)
        if readers and self.encryption.mode == "age" and self.encryption.identity_secret is None:
            raise FieldError(
                "encryption.identity_secret",
                "is required for the restore drill and restore Job with mode 'age' (a Secret "
                "with key `identity` holding the age private key); or set drill.enabled: false",
            )
        return self

    @model_validator(mode="after")
    def _retention_outlives_transitions(self) -> Self:
        transitions = {
            "s3.transition_days": self.s3.transition_days
            if self.s3 and self.s3.creates_bucket
            else 0,
            "gcs.transition_days": self.gcs.transition_days if self.gcs else 0,
            "azure.cool_after_days": self.azure.cool_after_days if self.azure else 0,
            "azure.cold_after_days": (self.azure.cold_after_days or 0) if self.azure else 0,
        }
        for key, days in transitions.items():
            if days and days >= self.retention.days:
                raise FieldError(
                    "retention.days",
                    f"({self.retention.days}) must be longer than {key} ({days}): backups would "
                    "be pruned before they change storage class",
                )
        return self
