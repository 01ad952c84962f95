"""The `runtime` section: the awx-runtime image that backup, enforcer and exporter pods run."""

from typing import Literal

from pydantic import Field

from components.settings.base import IMAGE_REPOSITORY, ImageDigest, ImageTag, Section, by_digest


class RuntimeSettings(Section):
    image: str = Field(default="ghcr.io/awx-platform/awx-runtime", pattern=IMAGE_REPOSITORY)
    """Repository of the awx-runtime image (built by `make image`, released by release.yml),
    without a tag."""
    image_tag: ImageTag = "0.1.0"
    """Tag of the awx-runtime image; pinned so every pod runs the same release."""
    image_digest: ImageDigest | None = None
    """Digest of the awx-runtime image (the release's index digest, or dist/*.digest of
    `make image`); set, pods pull exactly that build. Production stacks must set it."""
    image_pull_policy: Literal["IfNotPresent", "Always", "Never"] = "IfNotPresent"
    """When nodes pull the awx-runtime image."""

    @property
    def image_reference(self) -> str:
        return by_digest(f"{self.image}:{self.image_tag}", self.image_digest)
