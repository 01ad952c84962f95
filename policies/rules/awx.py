"""AWX rules: consistent fork limits, a pinned release, control pods that know their size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
)

from .common import dig, resource_policy

AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"


def _settings(spec: Mapping[str, Any]) -> dict[str, str]:
    # The analyzer hands over read-only mapping proxies, not dicts.
    return {
        str(item.get("setting")): str(item.get("value"))
        for item in spec.get("extra_settings") or []
        if isinstance(item, Mapping)
    }


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _fork_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != AWX:
        return
    settings = _settings(args.props.get("spec") or {})
    per_job = _int(settings.get("MAX_FORKS"))
    budget = _int(settings.get("DEFAULT_EXECUTION_QUEUE_MAX_FORKS"))
    if per_job is None or per_job <= 0:
        report("MAX_FORKS must be set to a positive whole number (0 means unlimited)")
    if budget is None or budget <= 0:
        report("DEFAULT_EXECUTION_QUEUE_MAX_FORKS must be set to a positive whole number")
    if per_job and budget and per_job > budget:
        report(f"MAX_FORKS ({per_job}) exceeds the default queue's fork budget ({budget})")


fork_limits = resource_policy(
    "awx-fork-limits-consistent",
    "AWX caps forks per job and per queue, and one job fits the queue's budget.",
    _fork_limits,
)


def _pinned_release(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != AWX:
        return
    spec = args.props.get("spec") or {}
    version = spec.get("image_version")
    if not spec.get("image") or version in (None, "", "latest"):
        report(
            "AWX must set both image and a pinned image_version (the operator ignores one alone)"
        )


pinned_release = resource_policy(
    "awx-pinned-release",
    "The AWX resource pins its image and release.",
    _pinned_release,
)


def _task_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != AWX:
        return
    limits = dig(args.props, "spec", "task_resource_requirements", "limits") or {}
    if not limits.get("cpu") or not limits.get("memory"):
        report("task pods without CPU and memory limits report the whole node's capacity to AWX")


task_limits = resource_policy(
    "awx-task-limits",
    "AWX task pods have CPU and memory limits, so AWX sizes its capacity right.",
    _task_limits,
)

POLICIES = [fork_limits, pinned_release, task_limits]
