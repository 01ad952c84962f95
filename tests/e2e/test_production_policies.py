"""The production rules under the real CLI: `pulumi policy analyze --file` of the state the
example stacks produce under mocks (the CLI and language host only; no provider plugin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.engine import PULUMI, ROOT, TOOLS_BIN
from tests.harness import run_program, stack_config, with_value
from tests.policies.pack import urn


def state_file(directory: Path, stack: str, config: dict[str, Any] | None = None) -> Path:
    """A `pulumi stack export` document holding what the program registers under mocks."""
    stack_urn = f"urn:pulumi:{stack}::awx-platform::pulumi:pulumi:Stack::awx-platform-{stack}"
    resources: list[dict[str, Any]] = [
        {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack"}
    ]
    for r in run_program(stack, config).resources:
        resources.append(
            {"urn": urn(r.type, r.name, stack), "custom": r.custom, "type": r.type,
             "inputs": r.plain, "outputs": r.plain}
        )  # fmt: skip
    manifest = {"time": "2026-01-01T00:00:00Z", "magic": "", "version": "v3"}
    path = directory / f"{stack}.json"
    path.write_text(
        json.dumps({"version": 3, "deployment": {"manifest": manifest, "resources": resources}})
    )
    return path


def analyze(state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    if not PULUMI.exists():
        pytest.fail(f"{PULUMI} is missing: run `make toolchain` first")
    env = {
        **os.environ,
        "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(ROOT / ".tools" / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
    }
    # From the pack's directory: the language host runs the pack from the CLI's cwd.
    return subprocess.run(
        [str(PULUMI), "--non-interactive", "policy", "analyze", "--file", str(state),
         "--policy-pack", ".", *extra],
        cwd=ROOT / "policies", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_stack_labelled_production_is_held_to_the_production_rules(tmp_path: Path) -> None:
    # The local stack keeps backups 14 days: fine for development, too short for production.
    # Its name matches no production glob, so only the environment label can mark it.
    config = with_value(stack_config("local"), "policy.environment", "production")
    result = analyze(state_file(tmp_path, "local", config))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "[mandatory]  awx-prod-backup-retention" in output
    assert "keeps backups 14 days; production needs at least 30" in output


def test_the_development_stack_passes_and_the_config_sets_thresholds(tmp_path: Path) -> None:
    assert analyze(state_file(tmp_path, "local")).returncode == 0
    prod = state_file(tmp_path, "prod-aws")
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"awx-prod-backup-retention": {"min_retention_days": 400}}))
    result = analyze(prod, "--policy-pack-config", str(config))
    output = result.stdout + result.stderr
    assert "keeps backups 365 days; production needs at least 400" in output
