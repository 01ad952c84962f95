"""Flags of `awx-runtime rightsize` (the shared Option parser) and their checks; each bad
value is a ConfigurationError (exit 2) naming its flag and variable, or the stack file."""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from runtime.errors import ConfigurationError
from runtime.kubernetes_api import Connection, connection_from, connection_options
from runtime.options import Option, OptionValues
from runtime.rightsizing import queries, usage
from runtime.rightsizing.gates import Gates
from runtime.rightsizing.model import RISKS
from runtime.rightsizing.stack_file import StackFile

OPTIONS = (
    Option("prometheus_url", "--prometheus-url", "PROMETHEUS_URL", "Prometheus base URL"),
    Option("deployment", "--deployment", "AWX_DEPLOYMENT_NAME", "AWX resource name", "awx"),
    Option("namespace", "--namespace", "AWX_NAMESPACE", "AWX namespace", "awx"),
    Option(
        "job_namespace",
        "--job-namespace",
        "AWX_JOB_NAMESPACE",
        "Namespace of the job pods; empty: the stack file's, else <namespace>-jobs",
        "",
    ),
    Option("stack_file", "--stack-file", "RIGHTSIZE_STACK_FILE", "Pulumi stack file to read"),
    Option("window", "--window", "RIGHTSIZE_WINDOW", "History window (Prometheus duration)", "14d"),
    Option("min_confidence", "--min-confidence", "RIGHTSIZE_MIN_CONFIDENCE", "Gate: 0-1", "0.7"),
    Option(
        "max_risk", "--max-risk", "RIGHTSIZE_MAX_RISK", "Gate: low|medium|high|critical", "medium"
    ),
    Option(
        "max_change_percent",
        "--max-change-percent",
        "RIGHTSIZE_MAX_CHANGE_PERCENT",
        "Gate: largest change of one value per run, in percent",
        "50",
    ),
    Option("pushgateway", "--pushgateway-url", "PUSHGATEWAY_URL", "--publish: Pushgateway", ""),
    Option(
        "report_configmap",
        "--report-configmap",
        "RIGHTSIZE_REPORT_CONFIGMAP",
        "--publish: ConfigMap for the report; empty: <deployment>-rightsizing-report",
        "",
    ),
    *connection_options("RIGHTSIZE", "--publish: the ConfigMap and Events"),
    Option(
        "until",
        "--until",
        "RIGHTSIZE_UNTIL",
        "End of the window (unix seconds or ISO 8601); empty: now",
        "",
    ),
)
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


@dataclass(frozen=True)
class Settings:
    prometheus_url: str
    scope: queries.Scope
    window_seconds: float
    until: float
    stack: StackFile
    gates: Gates
    report_configmap: str
    pushgateway: str | None
    kube: Connection


def resolve(arguments: argparse.Namespace) -> Settings:
    values = OptionValues(arguments, OPTIONS)
    url = values.text("prometheus_url")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise values.error("prometheus_url", f"{url!r} is not an http(s) URL")
    window = _window_seconds(values)
    until = _until(values)
    stack = StackFile(Path(values.text("stack_file")))
    gates = _gates(values, stack)
    deployment, namespace = values.text("deployment"), values.text("namespace")
    job_namespace = values.optional("job_namespace") or str(
        stack.configured("autoscaling.job_pod.namespace") or f"{namespace}-jobs"
    )
    names = (("deployment", deployment), ("namespace", namespace), ("job_namespace", job_namespace))
    for option, name in names:
        if not _DNS_LABEL.fullmatch(name):
            raise values.error(option, f"{name!r} is not a DNS-1123 label")
    return Settings(
        prometheus_url=url,
        scope=queries.Scope(namespace, deployment, job_namespace, values.text("window")),
        window_seconds=window,
        until=until,
        stack=stack,
        gates=gates,
        report_configmap=values.optional("report_configmap") or f"{deployment}-rightsizing-report",
        pushgateway=values.optional("pushgateway"),
        kube=connection_from(values),
    )


def _window_seconds(values: OptionValues) -> float:
    text = values.text("window")
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise values.error("window", f"{text!r} is not a duration like 14d, 7d12h or 36h")
    weeks, days, hours, minutes = (int(part or 0) for part in match.groups())
    seconds = ((weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60
    if seconds < 3600:
        raise values.error("window", "must be at least 1h")
    return float(seconds)


def _until(values: OptionValues) -> float:
    text = values.optional("until")
    if text is None:
        return float(int(time.time()) // 60 * 60)
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise values.error("until", f"{text!r} is neither unix seconds nor ISO 8601") from None


def _gates(values: OptionValues, stack: StackFile) -> Gates:
    try:
        confidence = float(values.text("min_confidence"))
    except ValueError:
        confidence = -1.0
    if not 0 <= confidence <= 1:
        raise values.error("min_confidence", f"{values.text('min_confidence')!r} is not 0-1")
    risk = values.text("max_risk")
    if risk not in RISKS:
        raise values.error("max_risk", f"{risk!r} is not one of {', '.join(RISKS)}")
    change = values.positive("max_change_percent", float)
    protected = stack.configured("rightsizing.protected")
    if protected is not None and not (
        isinstance(protected, list) and all(p in usage.COMPONENTS for p in protected)
    ):
        raise ConfigurationError(
            f"--stack-file {stack.path}: rightsizing.protected must list components "
            f"({', '.join(usage.COMPONENTS)}); got {protected!r}"
        )
    return Gates(
        min_confidence=confidence,
        max_risk=risk,
        max_change_percent=change,
        protected=frozenset(protected if protected is not None else ("postgres",)),
    )
