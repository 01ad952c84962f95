"""The `backup` section: where backups go, when they run, how long they are kept, how sealed."""

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from components.settings.base import CronSchedule, DnsName, FieldError, PositiveQuantity, Section

_PREFIX = Field(default="awx-backups/", pattern=r"^([\w.-]+/)*$")


class S3Storage(Section):
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    """Bucket name (3-63 lower-case letters, digits, '.', '-')."""
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    """AWS region of the bucket; required unless endpoint_url names an S3-compatible store."""
    prefix: str = _PREFIX
    """Key prefix for backups, ending in '/' (empty for the bucket root)."""
    storage_class: Literal[
        "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
    ] = "STANDARD_IA"
    """Storage class dumps move to after transition_days (manifests stay in STANDARD)."""
    transition_days: int = Field(default=30, ge=0, le=3650)
    """Days before dumps move to storage_class (0 keeps them in STANDARD)."""
    endpoint_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """S3-compatible endpoint (MinIO and others); the bucket must already exist there."""
    kms_key_arn: str | None = Field(default=None, pattern=r"^arn:aws[\w-]*:kms:\S+$")
    """KMS key for server-side encryption (aws:kms); AES256 when empty."""

    @field_validator("bucket")
    @classmethod
    def _bucket_name_rules(cls, bucket: str) -> str:
        if ".." in bucket or bucket.startswith("xn--"):
            raise ValueError(f"{bucket!r} may not contain '..' or start with 'xn--'")
        return bucket

    @model_validator(mode="after")
    def _region_or_endpoint(self) -> Self:
        if self.region is None and self.endpoint_url is None:
            raise FieldError("region", "is required unless endpoint_url is set")
        return self


class AzureStorage(Section):
    storage_account: str = Field(pattern=r"^[a-z0-9]{3,24}$")
    """Storage account name (3-24 lower-case letters and digits, globally unique)."""
    container: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    """Blob container name (3-63 lower-case letters, digits, single '-')."""
    prefix: str = _PREFIX
    """Blob name prefix for backups, ending in '/'."""
    resource_group: str = Field(pattern=r"^[\w().-]{1,90}$")
    """Resource group that holds the storage account."""
    location: str = Field(pattern=r"^[a-z0-9]+$")
    """Azure region, e.g. westeurope."""


class GcsStorage(Section):
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
    """Bucket name (3-63 lower-case letters, digits, '.', '_', '-')."""
    project_id: str = Field(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
    """Google Cloud project that owns the bucket."""
    prefix: str = _PREFIX
    """Object name prefix for backups, ending in '/'."""
    location: str = Field(default="EU", pattern=r"^[A-Za-z0-9-]+$")
    """Bucket location: a region, a dual-region or a multi-region such as EU or US."""


class PvcStorage(Section):
    size: PositiveQuantity = "50Gi"
    """Size of the backup volume."""
    storage_class: str | None = None
    """StorageClass of the backup volume (cluster default when empty)."""


class Retention(Section):
    days: int = Field(default=90, ge=1, le=36500)
    """Backups older than this are pruned (and expire in the bucket's lifecycle rules)."""
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
    """When backups run (cron, cluster time zone)."""
    retention: Retention = Retention()
    """How long and how many backups are kept."""
    compression: Literal["zstd", "gzip", "none"] = "zstd"
    """Compression of the dump stream (zstd level 3, gzip level 6)."""
    encryption: Encryption = Encryption()
    """How backups are encrypted before they leave the pod."""
    restore: str | None = Field(
        default=None, pattern=r"^(latest|awx-backup-[a-z0-9-]+-\d{8}-\d{6})$"
    )
    """Name of a backup to restore (or `latest`); creates a one-off restore Job."""
    drill_schedule: CronSchedule = "0 4 * * 0"
    """When the restore drill verifies the newest backup and restores it into a scratch database."""

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
