"""Gate: the CrossGuard pack (policies/) over the stack's deployed state.

`pulumi preview --policy-pack` cannot run with the language host we can build (it starts the
program instead of the pack: docs/policies-howto.md), so the deploy takes the documented
route every engine can run: `pulumi stack export`, then `pulumi policy analyze --file` from the
pack's directory. It looks at what `up` just wrote, so it is asked once; a mandatory violation
fails the deploy, which is then rolled back like any failed gate.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.gates import GateResult, failed, passed

NAME = "policy"
SHOWN_LINES = 8


def violations(output: str) -> list[str]:
    """The lines of `pulumi policy analyze` output that name a mandatory violation."""
    return [line.strip() for line in output.splitlines() if "[mandatory]" in line]


@dataclass
class PolicyGate:
    pulumi: str
    """The CLI (the same one the Automation API runs)."""
    pack: Path
    export: Callable[[], Mapping[str, Any]]
    """The stack's state, as `pulumi stack export` writes it."""
    env: Mapping[str, str]
    name: str = NAME
    once: bool = True

    def check(self) -> GateResult:
        with tempfile.TemporaryDirectory(prefix="awx-deploy-policy-") as directory:
            state = Path(directory) / "state.json"
            state.write_text(json.dumps(self.export()))
            command = [self.pulumi, "--non-interactive", "policy", "analyze",
                       "--file", str(state), "--policy-pack", "."]  # fmt: skip
            result = subprocess.run(
                command, cwd=self.pack, env=dict(self.env), capture_output=True, text=True,
                check=False, timeout=300,
            )  # fmt: skip
        output = result.stdout + result.stderr
        found = violations(output)
        if result.returncode == 0 and not found:
            return passed(NAME, f"no mandatory violation ({self.pack})")
        if found:
            shown = "; ".join(found[:SHOWN_LINES])
            more = f" and {len(found) - SHOWN_LINES} more" if len(found) > SHOWN_LINES else ""
            return failed(NAME, f"{len(found)} mandatory violations: {shown}{more}")
        tail = " | ".join(output.strip().splitlines()[-SHOWN_LINES:])
        return failed(NAME, f"policy analyze failed (exit {result.returncode}): {tail}")
