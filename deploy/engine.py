"""The stack through Pulumi's Automation API: select, up, preview a plan, export, tags.

The workspace is the project directory (the checkout, or a rollback's temporary worktree);
backend, passphrase, PULUMI_HOME and the CLI come from the environment the Makefile sets, so a
rollback's worktree reaches exactly the same stack. The engine's own output streams to stderr
(human log); secrets stay out of it (no --show-secrets, outputs suppressed).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.automation import events

from deploy.errors import DeployError

SHOWN_ERROR_LINES = 6
URN_IN_QUOTES = re.compile(r'"urn:pulumi:[^"]*::([^":]+)"')
GENERIC_ERRORS = frozenset({"error: update failed", "error: preview failed"})


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def failure_lines(error: auto.CommandError) -> str:
    """The engine's error lines (what a person needs), not the whole command transcript; a
    resource's URN is shortened to its name (the URN is in the engine's log)."""
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("error:")]
    lines = [URN_IN_QUOTES.sub(lambda m: m.group(1), line) for line in lines]
    specific = [line for line in lines if line not in GENERIC_ERRORS] or lines
    unique = list(dict.fromkeys(specific))
    shown = unique[:SHOWN_ERROR_LINES]
    more = f" | ... {len(unique) - len(shown)} more" if len(unique) > len(shown) else ""
    if not shown:
        return text.strip().splitlines()[-1] if text.strip() else "the engine failed"
    return " | ".join(shown) + more


@dataclass
class Plan:
    """What a preview would do: every step the engine announced, and its error if it failed."""

    steps: list[events.StepEventMetadata] = field(default_factory=list)
    error: str | None = None
    """The engine's error lines when the preview failed."""
    transcript: str = ""


@dataclass
class Engine:
    work_dir: Path
    stack_name: str

    def __post_init__(self) -> None:
        if shutil.which("pulumi") is None:
            raise DeployError(
                "the pulumi CLI is not on PATH (make toolchain, or run via make deploy)"
            )
        try:
            self._stack = auto.select_stack(stack_name=self.stack_name, work_dir=str(self.work_dir))
        except auto.StackNotFoundError:
            raise DeployError(
                f"stack {self.stack_name!r} does not exist in this backend; create it with "
                f"`make stack STACK={self.stack_name}` (PULUMI_BACKEND_URL selects the backend)"
            ) from None

    @property
    def stack(self) -> auto.Stack:
        return self._stack

    @property
    def cli(self) -> str:
        found = shutil.which("pulumi")
        assert found is not None
        return found

    def config(self) -> dict[str, auto.ConfigValue]:
        return dict(self._stack.get_all_config())

    def up(self) -> str | None:
        """Run `up`; None when it succeeded, else the engine's error lines."""
        try:
            self._stack.up(
                color="never", on_output=_to_stderr, show_secrets=False, suppress_outputs=True,
                suppress_progress=True,
            )  # fmt: skip
        except auto.CommandError as error:
            return failure_lines(error)
        return None

    def plan(self) -> Plan:
        """Preview, collecting the steps; never raises for a failed preview."""
        plan = Plan()

        def collect(event: events.EngineEvent) -> None:
            if event.resource_pre_event is not None:
                plan.steps.append(event.resource_pre_event.metadata)

        try:
            result = self._stack.preview(color="never", on_event=collect, suppress_outputs=True)
            plan.transcript = result.stdout
        except auto.CommandError as error:
            plan.error = failure_lines(error)
            plan.transcript = str(error)
        return plan

    def export(self) -> dict[str, Any]:
        """The state's `deployment` part (resources, pending operations)."""
        return dict(self.export_document()["deployment"] or {})

    def export_document(self) -> dict[str, Any]:
        """The state as `pulumi stack export` writes it (version and deployment)."""
        exported = self._stack.export_stack()
        return {"version": exported.version, "deployment": exported.deployment}

    def tags(self) -> Mapping[str, str]:
        return dict(self._stack.workspace.list_tags(self.stack_name))

    def set_tag(self, key: str, value: str) -> None:
        self._stack.workspace.set_tag(self.stack_name, key, value)
