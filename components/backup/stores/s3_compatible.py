"""S3CompatibleStore: an existing bucket on an S3-compatible store (MinIO, Ceph, ...), and the
environment every S3 store gives the backup pods.

Nothing is created in a cloud account, so this module does not import the AWS SDK: a stack
with `backup.s3.endpoint_url` loads no pulumi_aws at all. It keeps the type token of the S3
store (`awx-platform:storage:S3BackupStore`) that such stacks have always had in their state.
"""

import pulumi

from components.backup.stores.binding import StoreArgs, StoreBinding, StoreEnv, common_env
from components.pods import env_from_secret
from components.settings.backup_storage import S3Storage

TYPE_TOKEN = "awx-platform:storage:S3BackupStore"
ACCESS_KEY_SECRET_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def s3_settings(args: StoreArgs) -> S3Storage:
    settings = args.settings.s3
    assert settings is not None, "validated: storage_type s3 has an s3 section"
    return settings


def s3_env(args: StoreArgs, sse: str | None) -> StoreEnv:
    """BACKUP_S3_* for the pods: bucket, region or endpoint, server-side encryption."""
    settings = s3_settings(args)
    values = {
        "BACKUP_S3_BUCKET": settings.bucket,
        "BACKUP_S3_REGION": settings.region,
        "BACKUP_S3_ENDPOINT_URL": settings.endpoint_url,
        "BACKUP_S3_SSE": sse,
        "BACKUP_S3_KMS_KEY_ARN": settings.kms_key_arn if sse == "aws:kms" else None,
    }
    return common_env(args.settings, settings.prefix) + [
        {"name": key, "value": value} for key, value in values.items() if value is not None
    ]


def access_key_env(secret: pulumi.Input[str]) -> StoreEnv:
    """AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret's keys of the same names."""
    return [env_from_secret(key, secret, key) for key in ACCESS_KEY_SECRET_KEYS]


class S3CompatibleStore(pulumi.ComponentResource):
    """Backups in an existing bucket of an S3-compatible store, with the store's access key."""

    bucket_name: pulumi.Output[str]
    """Name of the backup bucket."""
    binding: StoreBinding
    """How the backup pods reach the bucket."""

    def __init__(
        self, name: str, args: StoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        settings = s3_settings(args)
        self.bucket_name = pulumi.Output.from_input(settings.bucket)
        self.binding = StoreBinding(
            env=[*s3_env(args, sse=None), *access_key_env(str(settings.credentials_secret))]
        )
        self.register_outputs({"bucket_name": self.bucket_name})

    def stack_outputs(self) -> dict[str, object]:
        return {"bucket": self.bucket_name}
