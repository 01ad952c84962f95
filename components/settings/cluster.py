"""The `cluster` section: which Kubernetes cluster the program talks to, if any."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.base import FieldError, Section


class ClusterSettings(Section):
    render_directory: str | None = Field(default=None, pattern=r"^[\w./-]+$")
    """Write manifests to this directory instead of applying them (no cluster needed)."""
    context: str | None = None
    """kubeconfig context to deploy to (current context when empty)."""

    @model_validator(mode="after")
    def _render_or_deploy(self) -> Self:
        if self.render_directory is not None and self.context is not None:
            raise FieldError(
                "context", "cannot be combined with render_directory: rendering needs no cluster"
            )
        return self
