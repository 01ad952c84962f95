"""Which stacks are production: by stack name (globs) or by the environment label the program
puts on every Kubernetes object (`awx-platform/environment`, from `policy.environment`)."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from .common import labels_of, stack_of

ENVIRONMENT_LABEL = "awx-platform/environment"
DEFAULT_PRODUCTION_STACKS = ["prod", "prod-*", "production*"]
DEFAULT_PRODUCTION_ENVIRONMENTS = ["production"]

PRODUCTION_CONFIG: dict[str, dict[str, Any]] = {
    "production_stacks": {
        "type": "array",
        "items": {"type": "string"},
        "default": DEFAULT_PRODUCTION_STACKS,
        "description": "Stack-name globs (fnmatch, case-sensitive) that are production.",
    },
    "production_environments": {
        "type": "array",
        "items": {"type": "string"},
        "default": DEFAULT_PRODUCTION_ENVIRONMENTS,
        "description": f"Values of the {ENVIRONMENT_LABEL} label that mark production.",
    },
}
"""Config every production policy accepts (each policy is configured on its own)."""


def _environment_label(props: Mapping[str, Any]) -> str | None:
    try:
        value = labels_of(props).get(ENVIRONMENT_LABEL)
    except UnknownValueError:
        # Labels computed from outputs are unknown in a preview; they mark nothing.
        return None
    return value if isinstance(value, str) else None


def production_reason(args: StackValidationArgs) -> str | None:
    """Why the stack counts as production, or None when it does not."""
    config = args.get_config()
    globs = list(config.get("production_stacks", DEFAULT_PRODUCTION_STACKS))
    environments = set(config.get("production_environments", DEFAULT_PRODUCTION_ENVIRONMENTS))
    for resource in args.resources:
        stack = stack_of(resource.urn)
        if any(fnmatchcase(stack, pattern) for pattern in globs):
            return f"stack {stack!r} matches production_stacks"
        environment = _environment_label(resource.props)
        if environment in environments:
            return f"{resource.name} is labelled {ENVIRONMENT_LABEL}={environment}"
    return None
