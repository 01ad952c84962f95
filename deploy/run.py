"""The guarded deploy, in order: up, gates for the soak window, record the commit; or, when up
or a gate fails, roll back to the last good commit and gate that (docs/deploy.md)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client
from pulumi import automation as auto

from deploy import kube, lastgood, protection, worktree
from deploy.engine import Engine, failure_lines
from deploy.errors import DeployError
from deploy.gates import Gate, GateResult, skipped
from deploy.gates.deployments import DeploymentsGate
from deploy.gates.endpoints import AwxPingGate, ExporterHealthGate
from deploy.gates.policy import PolicyGate
from deploy.gates.prometheus import PrometheusGate
from deploy.gates.soak import SoakOutcome, soak
from deploy.report import Rollback, Summary
from deploy.stack import StackTarget, parse_config, validate
from deploy.telemetry import Telemetry

log = logging.getLogger("deploy")
DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment"


@dataclass(frozen=True)
class Options:
    work_dir: Path
    stack: str
    timeout: float
    """DEPLOY_HEALTH_TIMEOUT: seconds the gates may take to hold for the window."""


@dataclass(frozen=True)
class NotConfigured:
    """A gate the stack does not configure: reported as skipped, with how to turn it on."""

    name: str
    note: str
    once: bool = True

    def check(self) -> GateResult:
        return skipped(self.name, self.note)


def declared_deployments(state: Mapping[str, Any]) -> list[str]:
    """namespace/name of every Deployment the stack's state holds."""
    found = []
    for resource in state.get("resources") or []:
        if resource.get("type") == DEPLOYMENT_TYPE:
            metadata = (resource.get("outputs") or {}).get("metadata") or {}
            if metadata.get("name") and metadata.get("namespace"):
                found.append(f"{metadata['namespace']}/{metadata['name']}")
    return found


def gates_for(target: StackTarget, engine: Engine, api: client.ApiClient) -> list[Gate]:
    health = target.config.deploy.health
    gates: list[Gate] = []
    if health.policy:
        gates.append(
            PolicyGate(engine.cli, target.work_dir / "policies", engine.export_document, os.environ)
        )
    if health.deployments:
        gates.append(
            DeploymentsGate(
                api, target.stack, target.namespaces, target.config.awx.namespace,
                declared_deployments(engine.export()),
            )
        )  # fmt: skip
    key = "awx-platform:deploy.health"
    if health.awx_url is not None:
        gates.append(AwxPingGate(health.awx_url, health.require_endpoints))
    else:
        gates.append(NotConfigured("awx_ping", f"not configured ({key}.awx_url)"))
    if health.exporter_url is not None:
        gates.append(ExporterHealthGate(health.exporter_url, health.require_endpoints))
    else:
        gates.append(NotConfigured("exporter_health", f"not configured ({key}.exporter_url)"))
    if health.prometheus_url is not None and health.prometheus_queries:
        gates.append(PrometheusGate(health.prometheus_url, health.prometheus_queries))
    else:
        gates.append(NotConfigured("prometheus", f"not configured ({key}.prometheus_url)"))
    return gates


def _soak(
    target: StackTarget, engine: Engine, api: client.ApiClient, timeout: float
) -> SoakOutcome:
    health = target.config.deploy.health
    log.info("gates: healthy for %d s within %.0f s", health.window, timeout)
    return soak(
        gates_for(target, engine, api),
        window=health.window, timeout=timeout, interval=health.interval,
    )  # fmt: skip


def _failures(outcome: SoakOutcome) -> str:
    details = "; ".join(f"{r.gate}: {r.detail}" for r in outcome.failures)
    return f"{outcome.reason}: {details}" if details else outcome.reason


def load_target(engine: Engine, stack: str, work_dir: Path, timeout: float) -> StackTarget:
    target = StackTarget(stack, validate(parse_config(engine.config()), stack), work_dir)
    window = target.config.deploy.health.window
    if timeout < window:
        raise DeployError(
            f"DEPLOY_HEALTH_TIMEOUT ({timeout:.0f} s) is shorter than "
            f"awx-platform:deploy.health.window ({window} s) of stack {stack}: the gates could "
            "never hold for the whole window"
        )
    return target


def _record(engine: Engine, commit: str) -> str | None:
    """Tag the stack with its new last good commit; None (logged) if the backend refused:
    the deploy is still healthy, but a later rollback would go to the previous record."""
    try:
        engine.set_tag(lastgood.TAG, commit)
    except auto.CommandError as error:
        log.error("could not record %s as last good (stack tag %s): %s", commit[:12],
                  lastgood.TAG, failure_lines(error))  # fmt: skip
        return None
    return commit


def guarded_deploy(options: Options) -> Summary:
    started = time.monotonic()
    commit = worktree.head(options.work_dir)
    engine = Engine(options.work_dir, options.stack)
    target = load_target(engine, options.stack, options.work_dir, options.timeout)
    api = kube.connect(target.kubeconfig, target.config.cluster.context)
    awx = target.config.awx
    telemetry = Telemetry(api, options.stack, awx.name, awx.namespace)
    summary = Summary(options.stack, commit, last_good_before=lastgood.read(engine.tags()))
    log.info("deploying %s to stack %s (last good: %s)", commit[:12], options.stack,
             summary.last_good_before or "none")  # fmt: skip

    began = time.monotonic()
    error = engine.up()
    summary.durations["up"] = time.monotonic() - began
    if error is not None:
        summary.failure_stage, summary.failure_detail = "up", error
    else:
        began = time.monotonic()
        outcome = _soak(target, engine, api, options.timeout)
        summary.durations["gates"] = time.monotonic() - began
        summary.gates = outcome.results
        if outcome.healthy:
            summary.status = "succeeded"
            summary.last_good_recorded = _record(engine, commit)
        else:
            summary.failure_stage, summary.failure_detail = "gates", _failures(outcome)
    telemetry.deployed(summary.status == "succeeded", summary.one_line())

    if summary.status != "succeeded":
        log.error("deploy failed at %s: %s", summary.failure_stage, summary.failure_detail)
        began = time.monotonic()
        summary.rollback = roll_back(engine, options, summary.last_good_before)
        summary.durations["rollback"] = time.monotonic() - began
        if summary.rollback.status != "none":
            telemetry.rolled_back(summary.rollback.status == "succeeded", summary.one_line())
    summary.events_failed = telemetry.events_failed
    summary.metrics_pushed = telemetry.pushed
    summary.durations["total"] = time.monotonic() - started
    return summary


def roll_back(engine: Engine, options: Options, last_good: str | None) -> Rollback:
    if last_good is None:
        return Rollback(
            None, "none",
            f"no last good deploy is recorded for stack {options.stack} (stack tag "
            f"{lastgood.TAG}): nothing to roll back to, so nothing more was changed; the stack "
            "is as the failed deploy left it",
        )  # fmt: skip
    log.warning("rolling back stack %s to %s", options.stack, last_good[:12])
    try:
        with worktree.checkout(options.work_dir, last_good) as project:
            return _roll_back_from(project, engine, options, last_good)
    except DeployError as error:
        return Rollback(last_good, "failed", str(error))


def _roll_back_from(project: Path, current: Engine, options: Options, last_good: str) -> Rollback:
    engine = Engine(project, options.stack)
    target = load_target(engine, options.stack, project, options.timeout)
    keep = protection.kept(current.export())
    plan = engine.plan()
    blocked = protection.blocked(plan.steps, keep, plan.error)
    if blocked:
        return Rollback(
            last_good, "aborted",
            f"the rollback would replace or delete {len(blocked)} protected or stateful "
            "resource(s); nothing was changed: " + "; ".join(blocked),
            blocked_by=[entry.split(" ", 1)[0] for entry in blocked],
        )  # fmt: skip
    if plan.error is not None:
        return Rollback(last_good, "failed", f"preview of the rollback failed: {plan.error}")
    error = engine.up()
    if error is not None:
        return Rollback(last_good, "failed", f"up of the last good commit failed: {error}")
    api = kube.connect(target.kubeconfig, target.config.cluster.context)
    outcome = _soak(target, engine, api, options.timeout)
    if outcome.healthy:
        return Rollback(last_good, "succeeded", outcome.reason, gates=outcome.results)
    return Rollback(last_good, "unhealthy", _failures(outcome), gates=outcome.results)
