"""Where backups are stored: the `backup.s3`, `backup.azure`, `backup.gcs` and `backup.pvc` keys.

Names are checked against each cloud's own naming rules here, so a bad bucket or account name
fails at `pulumi preview` with the key path instead of half-way through an `up`.
"""

import ipaddress
import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from components.settings.base import DnsName, FieldError, PositiveQuantity, Section

PREFIX = Field(default="awx-backups/", pattern=r"^([\w.-]+/)*$")
_AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
_KMS_KEY_ARN = r"^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/\S+$"
_GUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"

S3_CLASSES_NEEDING_30_DAYS = frozenset({"STANDARD_IA"})
"""Classes S3 refuses to transition to before an object is 30 days old."""


def _not_an_ip_address(bucket: str) -> None:
    try:
        ipaddress.ip_address(bucket)
    except ValueError:
        return
    raise ValueError(f"{bucket!r} is formatted as an IP address, which bucket names may not be")


class IrsaTrust(Section):
    """IAM Roles for Service Accounts: the EKS cluster's OIDC provider the role trusts."""

    oidc_provider_arn: str = Field(pattern=r"^arn:aws[\w-]*:iam::\d{12}:oidc-provider/\S+$")
    """ARN of the cluster's IAM OIDC provider, e.g.
    arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE."""
    oidc_provider_url: str = Field(pattern=r"^(https://)?[a-z0-9.-]+(/[\w.-]+)*$")
    """Issuer URL of the cluster (aws eks describe-cluster --query cluster.identity.oidc.issuer);
    must be the host and path the provider ARN names."""

    @property
    def issuer(self) -> str:
        """The issuer host and path, as IAM condition keys spell it (no scheme)."""
        return self.oidc_provider_url.removeprefix("https://")

    @model_validator(mode="after")
    def _url_matches_arn(self) -> Self:
        if not self.oidc_provider_arn.endswith(f":oidc-provider/{self.issuer}"):
            raise FieldError(
                "oidc_provider_url",
                f"{self.oidc_provider_url!r} is not the issuer the provider ARN names "
                f"({self.oidc_provider_arn.partition(':oidc-provider/')[2]!r})",
            )
        return self


S3StorageClass = Literal[
    "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
]


class S3Replication(Section):
    """Cross-region replication of new backup objects into a bucket that already exists."""

    destination_bucket_arn: str = Field(
        pattern=r"^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    )
    """ARN of the destination bucket (another region, versioning enabled, its own lifecycle)."""
    storage_class: S3StorageClass = "STANDARD_IA"
    """Storage class of the replicas."""
    destination_kms_key_arn: str | None = Field(default=None, pattern=_KMS_KEY_ARN)
    """KMS key in the destination region for replicas; required when the bucket uses kms_key_arn."""


class S3Storage(Section):
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    """Bucket name (3-63 lower-case letters, digits, '.', '-'; not an IP address)."""
    region: str | None = Field(default=None, pattern=_AWS_REGION)
    """AWS region of the bucket; required unless endpoint_url names an S3-compatible store."""
    prefix: str = PREFIX
    """Key prefix for backups, ending in '/' (empty for the bucket root)."""
    storage_class: S3StorageClass = "STANDARD_IA"
    """Storage class dumps move to after transition_days. Only objects over 1 MiB move, so the
    small manifests stay in STANDARD (STANDARD keeps everything there)."""
    transition_days: int = Field(default=30, ge=0, le=3650)
    """Days before dumps move to storage_class (at least 30 for STANDARD_IA)."""
    noncurrent_version_days: int = Field(default=7, ge=1, le=365)
    """Days a pruned or overwritten object version is kept before it is deleted for good: the
    window in which a wrong prune can be undone."""
    endpoint_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """S3-compatible endpoint (MinIO and others); the bucket must already exist there and
    nothing is created in AWS."""
    kms_key_arn: str | None = Field(default=None, pattern=_KMS_KEY_ARN)
    """KMS key for server-side encryption (aws:kms); AES256 when empty."""
    auth: Literal["irsa", "access-key", "secret"] = "irsa"
    """How the backup pods get credentials: irsa (an IAM role trusted by the cluster's OIDC
    provider, no stored key), access-key (an IAM user whose key is stored in a Kubernetes
    Secret created here), or secret (an existing Secret, e.g. for MinIO)."""
    irsa: IrsaTrust | None = None
    """The OIDC provider the IAM role trusts; required when auth is irsa."""
    credentials_secret: DnsName | None = None
    """auth secret: existing Secret with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."""
    replication: S3Replication | None = None
    """Replicate new backup objects to a bucket in another region."""

    @field_validator("bucket")
    @classmethod
    def _bucket_name_rules(cls, bucket: str) -> str:
        if ".." in bucket or bucket.startswith(("xn--", "sthree-")) or bucket.endswith("-s3alias"):
            raise ValueError(
                f"{bucket!r} may not contain '..', start with 'xn--' or 'sthree-', "
                "or end with '-s3alias'"
            )
        _not_an_ip_address(bucket)
        return bucket

    @property
    def creates_bucket(self) -> bool:
        """Whether this program owns the bucket (AWS) or uses an existing S3-compatible one."""
        return self.endpoint_url is None

    @model_validator(mode="after")
    def _region_or_endpoint(self) -> Self:
        if self.region is None and self.endpoint_url is None:
            raise FieldError("region", "is required unless endpoint_url is set")
        return self

    @model_validator(mode="after")
    def _transition_allowed(self) -> Self:
        if self.storage_class in S3_CLASSES_NEEDING_30_DAYS and self.transition_days < 30:
            raise FieldError(
                "transition_days",
                f"must be at least 30 for {self.storage_class} (S3 refuses earlier "
                f"transitions); got {self.transition_days}",
            )
        return self

    @model_validator(mode="after")
    def _credentials_configured(self) -> Self:
        if self.endpoint_url is not None:
            if self.auth != "secret":
                raise FieldError(
                    "auth",
                    "must be 'secret' with endpoint_url: an S3-compatible store has no IAM; "
                    "name its access key Secret in credentials_secret",
                )
            if self.replication is not None:
                raise FieldError(
                    "replication", "is only available for AWS buckets (no endpoint_url)"
                )
        required = {
            "irsa": ("irsa", self.irsa),
            "secret": ("credentials_secret", self.credentials_secret),
        }
        if self.auth in required and required[self.auth][1] is None:
            key = required[self.auth][0]
            raise FieldError(key, f"is required when auth is {self.auth!r}")
        for key, value, auth in (
            ("irsa", self.irsa, "irsa"),
            ("credentials_secret", self.credentials_secret, "secret"),
        ):
            if value is not None and self.auth != auth:
                raise FieldError(key, f"only applies when auth is {auth!r} (auth is {self.auth!r})")
        return self

    @model_validator(mode="after")
    def _replicas_encrypted_like_the_source(self) -> Self:
        replication = self.replication
        if replication is not None and self.kms_key_arn and not replication.destination_kms_key_arn:
            raise FieldError(
                "replication.destination_kms_key_arn",
                "is required when kms_key_arn is set (KMS-encrypted objects replicate only "
                "with a key in the destination region)",
            )
        return self


class AzureStorage(Section):
    storage_account: str = Field(pattern=r"^[a-z0-9]{3,24}$")
    """Storage account name (3-24 lower-case letters and digits, globally unique)."""
    container: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    """Blob container name (3-63 lower-case letters, digits, single '-')."""
    prefix: str = PREFIX
    """Blob name prefix for backups, ending in '/'."""
    subscription_id: str = Field(pattern=_GUID)
    """Subscription that holds the resource group (role definitions are named per subscription)."""
    resource_group: str = Field(pattern=r"^[\w().-]{1,90}$")
    """Existing resource group for the storage account and the backup identity."""
    location: str = Field(pattern=r"^[a-z0-9]+$")
    """Azure region, e.g. westeurope."""
    redundancy: Literal["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"] = "GRS"
    """Replication of the account (SKU Standard_<redundancy>); GRS copies to the paired region."""
    cool_after_days: int = Field(default=30, ge=0, le=3650)
    """Days before blobs move to the Cool tier (0 keeps them Hot)."""
    cold_after_days: int | None = Field(default=None, ge=1, le=3650)
    """Days before blobs move on to the Cold tier; none when empty. (Archive is not offered:
    archived blobs are offline, and lifecycle filters cannot keep the manifests out.)"""
    soft_delete_days: int = Field(default=14, ge=1, le=365)
    """Days deleted blobs, versions and containers can be recovered."""
    oidc_issuer_url: str = Field(pattern=r"^https://\S+$")
    """OIDC issuer of the AKS cluster (az aks show --query oidcIssuerProfile.issuerUrl), trusted
    by the backup identity's federated credential."""

    @model_validator(mode="after")
    def _cold_after_cool(self) -> Self:
        if self.cold_after_days is not None and self.cold_after_days <= self.cool_after_days:
            raise FieldError(
                "cold_after_days",
                f"must be after cool_after_days ({self.cool_after_days}); "
                f"got {self.cold_after_days}",
            )
        return self

    @property
    def tier_days(self) -> list[int]:
        """Days at which blobs change tier, in order."""
        days = [self.cool_after_days] if self.cool_after_days else []
        return days + ([self.cold_after_days] if self.cold_after_days else [])


_GCS_MULTI_REGIONS = frozenset({"ASIA", "EU", "US"})
_GCS_DUAL_REGIONS = frozenset({"ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"})


class GcsStorage(Section):
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
    """Bucket name (3-63 lower-case letters, digits, '.', '_', '-'; not starting with 'goog',
    not containing 'google')."""
    project_id: str = Field(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
    """Google Cloud project that owns the bucket and the backup service account."""
    prefix: str = PREFIX
    """Object name prefix for backups, ending in '/'."""
    location: str = Field(default="EU", pattern=r"^[A-Za-z0-9-]+$")
    """Bucket location: a region, a predefined dual-region (EUR4) or a multi-region (EU, US)."""
    data_locations: list[str] = []
    """Custom dual-region: exactly two regions (e.g. europe-west1, europe-west4) inside the
    multi-region named by location."""
    turbo_replication: bool = False
    """Dual-region only: replicate within 15 minutes (RPO ASYNC_TURBO)."""
    storage_class: Literal["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"] = "NEARLINE"
    """Class backups move to after transition_days (STANDARD: no transition)."""
    transition_days: int = Field(default=30, ge=0, le=3650)
    """Days before backups move to storage_class."""
    noncurrent_version_days: int = Field(default=7, ge=1, le=365)
    """Days a pruned object's old version is kept before it is deleted for good."""
    kms_key_name: str | None = Field(
        default=None,
        pattern=r"^projects/[\w-]+/locations/[\w-]+/keyRings/[\w-]+/cryptoKeys/[\w-]+$",
    )
    """Customer-managed key (CMEK) for new objects; the project's Cloud Storage service agent
    needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it."""

    @field_validator("bucket")
    @classmethod
    def _bucket_name_rules(cls, bucket: str) -> str:
        if bucket.startswith("goog") or "google" in bucket or "g00gle" in bucket:
            raise ValueError(f"{bucket!r} may not start with 'goog' or contain 'google'")
        _not_an_ip_address(bucket)
        return bucket

    @model_validator(mode="after")
    def _dual_region_shape(self) -> Self:
        if self.data_locations:
            if len(self.data_locations) != 2 or self.location.upper() not in _GCS_MULTI_REGIONS:
                raise FieldError(
                    "data_locations",
                    "a custom dual-region needs exactly two regions and location set to the "
                    f"multi-region holding them ({', '.join(sorted(_GCS_MULTI_REGIONS))})",
                )
            for region in self.data_locations:
                if not re.fullmatch(r"[a-z]+-[a-z]+\d+", region):
                    raise FieldError("data_locations", f"{region!r} is not a region name")
        elif self.turbo_replication and self.location.upper() not in _GCS_DUAL_REGIONS:
            raise FieldError(
                "turbo_replication",
                "needs a dual-region: data_locations, or a predefined dual-region location "
                f"({', '.join(sorted(_GCS_DUAL_REGIONS))})",
            )
        return self


class PvcStorage(Section):
    size: PositiveQuantity = "50Gi"
    """Size of the backup volume."""
    storage_class: str | None = None
    """StorageClass of the backup volume (cluster default when empty)."""
