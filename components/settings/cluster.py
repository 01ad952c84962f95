"""The `cluster` section: which Kubernetes cluster the program talks to, if any."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.base import FieldError, Section


class ClusterSettings(Section):
    render_directory: str | None = Field(default=None, pattern=r"^[\w./-]+$")
    """Write manifests to this directory instead of applying them (no cluster needed)."""
    kubeconfig: str | None = Field(default=None, pattern=r"^[\w./~-]+$")
    """Path of the kubeconfig file to deploy with, relative to the project directory (the
    local stack: .tools/cluster/kubeconfig, written by `make cluster`); $KUBECONFIG or
    ~/.kube/config when empty. Only the path is kept in the state, never the credentials."""
    context: str | None = None
    """kubeconfig context to deploy to (current context when empty)."""

    @model_validator(mode="after")
    def _render_or_deploy(self) -> Self:
        for key in ("context", "kubeconfig"):
            if self.render_directory is not None and getattr(self, key) is not None:
                raise FieldError(
                    key, "cannot be combined with render_directory: rendering needs no cluster"
                )
        return self
