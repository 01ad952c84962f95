"""How backup, restore and drill pods run: resources, deadlines, history; the drill's database."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.awx import ComputeResources, ResourceRequirements
from components.settings.base import (
    IMAGE_REPOSITORY,
    FieldError,
    ImageDigest,
    ImageTag,
    Section,
    by_digest,
)


def _resources(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> ResourceRequirements:
    return ResourceRequirements(
        requests=ComputeResources(cpu=cpu, memory=memory),
        limits=ComputeResources(cpu=cpu_limit, memory=memory_limit),
    )


class JobSettings(Section):
    """Resources and deadlines of a scheduled awx-runtime job."""

    resources: ResourceRequirements = _resources("100m", "256Mi", "2", "1Gi")
    """Requests and limits of the awx-runtime container (pg_dump runs in it too; the
    pipeline streams, so memory does not grow with the database)."""
    starting_deadline_seconds: int = Field(default=3600, ge=10, le=86400)
    """A run that could not start this long after its scheduled time is skipped (and counted
    as missed) instead of starting late."""
    active_deadline_seconds: int = Field(default=21600, ge=60, le=604800)
    """A run still going after this long is killed and counts as failed."""
    backoff_limit: int = Field(default=1, ge=0, le=10)
    """Retries of a failed pod within one run."""
    successful_jobs_history_limit: int = Field(default=3, ge=0, le=100)
    """Finished successful runs kept for inspection."""
    failed_jobs_history_limit: int = Field(default=3, ge=1, le=100)
    """Failed runs kept for inspection (at least one, to read its logs)."""
    time_zone: str | None = Field(default=None, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    """IANA time zone of the schedule (spec.timeZone), e.g. Europe/Berlin; cluster time zone
    (normally UTC) when empty."""

    @model_validator(mode="after")
    def _memory_limited(self) -> Self:
        if self.resources.limits.memory is None or self.resources.requests.memory is None:
            raise FieldError(
                "resources",
                "needs requests.memory and limits.memory (policy k8s-container-resources)",
            )
        return self


class DrillSettings(JobSettings):
    """The restore drill: restores the newest backup into a scratch PostgreSQL in its own pod."""

    enabled: bool = True
    """Run the restore drill on backup.drill_schedule."""
    postgres_image: str = Field(default="docker.io/library/postgres", pattern=IMAGE_REPOSITORY)
    """Image of the scratch PostgreSQL sidecar (the official image's entrypoint)."""
    postgres_image_tag: ImageTag = "16.4"
    """Tag of the scratch PostgreSQL; its major version must be at least the AWX database's."""
    postgres_image_digest: ImageDigest | None = None
    """Digest of the scratch PostgreSQL image; set, the drill pulls exactly that build."""
    postgres_resources: ResourceRequirements = _resources("100m", "256Mi", "2", "2Gi")
    """Requests and limits of the scratch PostgreSQL sidecar."""
    scratch_size: str = Field(default="20Gi", pattern=r"^\d+(Ki|Mi|Gi|Ti)$")
    """Size limit of the emptyDir holding the scratch database (the restored AWX database
    must fit)."""

    @property
    def postgres_image_reference(self) -> str:
        return by_digest(
            f"{self.postgres_image}:{self.postgres_image_tag}", self.postgres_image_digest
        )
