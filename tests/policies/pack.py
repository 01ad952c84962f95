"""Run the pack's validators directly (pulumi_policy has no test harness)."""

from __future__ import annotations

import asyncio
import copy
import inspect
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policies.rules import ALL_POLICIES
from tests.harness import PROJECT, ProgramRun

POLICIES = {policy.name: policy for policy in ALL_POLICIES}


def urn(resource_type: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{resource_type}::{name}"


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
    )  # fmt: skip


def resource(
    resource_type: str,
    props: Mapping[str, Any],
    name: str = "example",
    dependencies: list[PolicyResource] | None = None,
    stack: str = "dev",
) -> PolicyResource:
    # The analyzer wraps props in read-only proxies (Mapping/Sequence, not dict/list).
    return PolicyResource(
        resource_type, unknown_checking_proxy(copy.deepcopy(dict(props))),
        urn(resource_type, name, stack), name, _options(), None, None, dependencies or [], {},
    )  # fmt: skip


def _finish(result: Any) -> None:
    if inspect.isawaitable(result):
        asyncio.run(_awaited(result))


async def _awaited(result: Any) -> None:
    await result


def violations(
    policy: Policy, resources: list[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[str]:
    """Messages the policy reports for these resources (each resource, or the whole stack)."""
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    if isinstance(policy, StackValidationPolicy):
        _finish(policy.validate(StackValidationArgs(resources, dict(config or {})), report))
    elif isinstance(policy, ResourceValidationPolicy):
        for item in resources:
            args = ResourceValidationArgs(
                item.resource_type, item.props, item.urn, item.name, item.opts, None,
                dict(config or {}),
            )  # fmt: skip
            _finish(policy.validate(args, report))
    return found


def program_resources(run: ProgramRun, stack: str) -> list[PolicyResource]:
    """The resources a mocked program run registered, as the analyzer would see them."""
    return [resource(r.type, r.plain, r.name, stack=stack) for r in run.resources]
