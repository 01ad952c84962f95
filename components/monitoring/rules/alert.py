"""How one alerting rule looks: severity, summary, templated description, runbook link, `for`.

Every alert goes through `alert()`, so no rule can ship without the annotations the on-call
person needs, and the runbook link always matches a section of docs/runbooks.md (GitHub
turns the heading `## AWXBackupFailed` into the anchor `#awxbackupfailed`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

RUNBOOK_BASE = "https://github.com/awx-platform/awx-platform/blob/main/docs/runbooks.md"

Severity = Literal["critical", "warning", "info"]
_DURATION = re.compile(r"^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$")


def runbook_url(name: str) -> str:
    return f"{RUNBOOK_BASE}#{name.lower()}"


def alert(
    name: str,
    expr: str,
    *,
    for_: str,
    severity: Severity,
    summary: str,
    description: str,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An alerting rule; `description` is a Go template over $labels and $value."""
    if not for_ or not _DURATION.match(for_):
        raise ValueError(f"alert {name}: `for` must be a duration like 15m, got {for_!r}")
    if "{{" not in description:
        # A description without a template says nothing the summary does not.
        raise ValueError(f"alert {name}: the description must use $labels or $value")
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {**(labels or {}), "severity": severity},
        "annotations": {
            "summary": summary,
            "description": description,
            "runbook_url": runbook_url(name),
        },
    }


def record(name: str, expr: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A recording rule."""
    rule: dict[str, Any] = {"record": name, "expr": expr}
    if labels:
        rule["labels"] = dict(labels)
    return rule


def selector(**matchers: str) -> str:
    """`{key="value",...}`; a value starting with `~` becomes a regex match (`key=~"..."`)."""
    parts = []
    for key, value in matchers.items():
        operator, text = ("=~", value[1:]) if value.startswith("~") else ("=", value)
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'{key}{operator}"{escaped}"')
    return "{" + ",".join(parts) + "}"
