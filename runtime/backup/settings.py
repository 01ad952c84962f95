"""Settings of the `backup` commands: flags with environment fallbacks (runtime/options.py).

Store settings (BACKUP_STORAGE_TYPE and the store's own variables) are read by
`runtime.backup.stores.open_store` from the environment; the flags below override them.
Secrets (PGPASSWORD, cloud credentials, key files' contents) never come from flags: a command
line is visible to every process on the node.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from runtime.backup.compression import COMPRESSIONS
from runtime.backup.crypto import AgeOpener, AgeSealer, Opener, Sealer
from runtime.backup.retention import RetentionPolicy
from runtime.kubernetes_api import Connection, connection_from, connection_options
from runtime.options import Option, OptionValues, add_options

if TYPE_CHECKING:
    from runtime.backup.crypto_aes import AesKey

DEFAULT_PREFIX = "awx-backups"

COMMON = (
    Option("deployment", "--deployment", "AWX_DEPLOYMENT_NAME", "name of the AWX resource"),
    Option("namespace", "--namespace", "AWX_NAMESPACE", "namespace of AWX", "awx"),
    Option("pushgateway", "--pushgateway-url", "PUSHGATEWAY_URL", "Pushgateway; empty: none", ""),
    Option(
        "lock_ttl",
        "--lock-ttl",
        "BACKUP_LOCK_TTL_SECONDS",
        "seconds after which the lock of a run that died is taken over",
        "21600",
    ),
    *connection_options("BACKUP", "Events; restore --restore-secrets: AWX's Secrets"),
)
STORE = (
    Option("storage_type", "--storage-type", "BACKUP_STORAGE_TYPE", "s3, azure, gcs or pvc", ""),
    Option("prefix", "--prefix", "BACKUP_PREFIX", "key prefix in the store", DEFAULT_PREFIX),
    Option("s3_bucket", "--s3-bucket", "BACKUP_S3_BUCKET", "S3 bucket", ""),
    Option("s3_region", "--s3-region", "BACKUP_S3_REGION", "S3 region", ""),
    Option(
        "s3_endpoint", "--s3-endpoint-url", "BACKUP_S3_ENDPOINT_URL", "S3-compatible endpoint", ""
    ),
    Option("azure_url", "--azure-account-url", "BACKUP_AZURE_ACCOUNT_URL", "Azure account URL", ""),
    Option("azure_container", "--azure-container", "BACKUP_AZURE_CONTAINER", "container", ""),
    Option("gcs_bucket", "--gcs-bucket", "BACKUP_GCS_BUCKET", "GCS bucket", ""),
    Option("gcs_project", "--gcs-project", "BACKUP_GCS_PROJECT", "GCS project", ""),
    Option("pvc_path", "--pvc-path", "BACKUP_PVC_PATH", "directory of the volume store", ""),
)
SEAL = (
    Option("compression", "--compression", "BACKUP_COMPRESSION", "zstd, gzip or none", "zstd"),
    Option("encryption", "--encryption", "BACKUP_ENCRYPTION", "age or aes-256", "age"),
    Option(
        "age_recipients",
        "--age-recipients",
        "BACKUP_AGE_RECIPIENTS",
        "comma-separated age X25519 recipients (age1...)",
        "",
    ),
    Option(
        "age_identity",
        "--age-identity-file",
        "BACKUP_AGE_IDENTITY_FILE",
        "age identity file (verify, restore, drill)",
        "",
    ),
    Option("aes_key_file", "--aes-key-file", "BACKUP_AES_KEY_FILE", "base64 AES-256 key file", ""),
    Option("kms_key_arn", "--kms-key-arn", "BACKUP_KMS_KEY_ARN", "AWS KMS key for aes-256", ""),
)
DATABASE = (
    Option("pg_host", "--pg-host", "PGHOST", "PostgreSQL host of AWX", ""),
    Option("pg_port", "--pg-port", "PGPORT", "PostgreSQL port", ""),
    Option("pg_database", "--pg-database", "PGDATABASE", "AWX database", ""),
    Option("pg_user", "--pg-user", "PGUSER", "PostgreSQL user", ""),
    Option("pg_sslmode", "--pg-sslmode", "PGSSLMODE", "libpq sslmode", ""),
)
PASSWORD = Option(
    "pg_password_file",
    "--pg-password-file",
    "PGPASSWORD_FILE",
    "file with the PostgreSQL password; empty: PGPASSWORD",
    "",
)
RETENTION = (
    Option("days", "--retention-days", "BACKUP_RETENTION_DAYS", "maximum age in days", "90"),
    Option(
        "max_backups",
        "--retention-max-backups",
        "BACKUP_RETENTION_MAX_BACKUPS",
        "maximum count; empty: none",
        "",
    ),
    Option("daily", "--retention-daily", "BACKUP_RETENTION_DAILY", "daily keeps", "7"),
    Option("weekly", "--retention-weekly", "BACKUP_RETENTION_WEEKLY", "weekly keeps", "4"),
    Option("monthly", "--retention-monthly", "BACKUP_RETENTION_MONTHLY", "monthly keeps", "12"),
    Option("yearly", "--retention-yearly", "BACKUP_RETENTION_YEARLY", "yearly keeps", "1"),
    Option(
        "min_backups",
        "--retention-min-backups",
        "BACKUP_RETENTION_MIN_BACKUPS",
        "never fewer complete backups",
        "3",
    ),
)
ALL = (*COMMON, *STORE, *SEAL, *DATABASE, PASSWORD, *RETENTION)
_STORE_ENV = {option.dest: option.env for option in STORE}
_PG_ENV = {option.dest: option.env for option in DATABASE}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_options(parser, ALL)


@dataclass(frozen=True)
class BackupSettings:
    values: OptionValues
    deployment: str
    namespace: str
    pushgateway: str | None
    prefix: str
    compression: str

    @property
    def kube(self) -> Connection:
        return connection_from(self.values)

    @property
    def lock_ttl(self) -> timedelta:
        return timedelta(seconds=self.values.positive("lock_ttl", float))

    def store_env(self) -> dict[str, str]:
        """The environment `open_store` reads, with flags applied over the variables."""
        env = dict(os.environ)
        for dest, variable in _STORE_ENV.items():
            value = self.values.optional(dest)
            if value is not None:
                env[variable] = value
        return env

    def pg_env(self) -> dict[str, str]:
        """The environment of pg_dump, pg_restore and psql: libpq's variables, flags applied,
        and the password read from --pg-password-file into PGPASSWORD (libpq's PGPASSFILE
        wants a .pgpass line, which the operator's Secret does not hold)."""
        env = dict(os.environ)
        for dest, variable in _PG_ENV.items():
            value = self.values.optional(dest)
            if value is not None:
                env[variable] = value
        password = self.values.secret(PASSWORD.dest, None)
        if password is not None:
            env["PGPASSWORD"] = password
        return env

    @property
    def encryption(self) -> str:
        mode = self.values.text("encryption")
        if mode not in ("age", "aes-256"):
            raise self.values.error("encryption", f"{mode!r} is not age or aes-256")
        return mode

    def _aes(self) -> AesKey:
        # Imported only for aes-256: the Encryption SDK is heavy (memory, start-up).
        from runtime.backup.crypto_aes import AesKey  # noqa: PLC0415

        return AesKey(
            self.values.optional("aes_key_file"),
            self.values.optional("kms_key_arn"),
            "--aes-key-file / BACKUP_AES_KEY_FILE or --kms-key-arn / BACKUP_KMS_KEY_ARN",
        )

    def sealer(self) -> Sealer:
        if self.encryption == "age":
            return AgeSealer(
                self.values.items("age_recipients"), "--age-recipients / BACKUP_AGE_RECIPIENTS"
            )
        return self._aes()

    def opener(self) -> Opener:
        if self.encryption == "age":
            path = self.values.optional("age_identity")
            if path is None:
                raise self.values.error("age_identity", "required to open age backups, not set")
            return AgeOpener(path, "--age-identity-file / BACKUP_AGE_IDENTITY_FILE")
        return self._aes()

    def retention(self) -> RetentionPolicy:
        def count(dest: str) -> int:
            text = self.values.text(dest)
            if not text.isdigit():
                raise self.values.error(dest, f"{text!r} is not a whole number")
            return int(text)

        max_backups = self.values.optional("max_backups")
        return RetentionPolicy(
            days=self.values.positive("days", int),
            max_backups=None if max_backups is None else self.values.positive("max_backups", int),
            daily=count("daily"),
            weekly=count("weekly"),
            monthly=count("monthly"),
            yearly=count("yearly"),
            min_backups=self.values.positive("min_backups", int),
        )


def settings_from(arguments: argparse.Namespace) -> BackupSettings:
    values = OptionValues(arguments, ALL)
    compression = values.text("compression")
    if compression not in COMPRESSIONS:
        raise values.error("compression", f"{compression!r} is not zstd, gzip or none")
    prefix = values.text("prefix").strip("/")
    if not prefix:
        raise values.error("prefix", "must not be empty")
    settings = BackupSettings(
        values=values,
        deployment=values.text("deployment"),
        namespace=values.text("namespace"),
        pushgateway=values.optional("pushgateway"),
        prefix=prefix,
        compression=compression,
    )
    _ = settings.encryption, settings.lock_ttl
    return settings


def describe(settings: BackupSettings) -> dict[str, Any]:
    """For logs: what the run uses, no secrets."""
    return {
        "deployment": settings.deployment,
        "namespace": settings.namespace,
        "compression": settings.compression,
        "encryption": settings.encryption,
    }
