"""The `runtime` section: the awx-runtime image that backup, enforcer and exporter pods run."""

from typing import Literal

from pydantic import Field

from components.settings.base import IMAGE_REPOSITORY, ImageTag, Section


class RuntimeSettings(Section):
    image: str = Field(default="ghcr.io/awx-platform/awx-runtime", pattern=IMAGE_REPOSITORY)
    """Repository of the awx-runtime image (built from runtime/Dockerfile), without a tag."""
    image_tag: ImageTag = "0.1.0"
    """Tag of the awx-runtime image; pinned so every pod runs the same release."""
    image_pull_policy: Literal["IfNotPresent", "Always", "Never"] = "IfNotPresent"
    """When nodes pull the awx-runtime image."""

    @property
    def image_reference(self) -> str:
        return f"{self.image}:{self.image_tag}"
