"""Render the program's rule groups to a file and run the real promtool on them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from components.monitoring.rules import rule_groups
from components.monitoring.targets import MonitoringTargets
from components.settings.monitoring import Slo
from tests.monitoring_targets import FULL

PROMTOOL = shutil.which("promtool")

TARGETS = FULL
"""A deployment with every optional source on, so every alert exists."""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool is needed (Debian package prometheus)"
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, check=False)


def write_rules(
    directory: Path,
    targets: MonitoringTargets = TARGETS,
    slos: Sequence[Slo] = (),
) -> Path:
    path = directory / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule_groups(targets, slos)}, sort_keys=False))
    return path


def check_rules(path: Path) -> None:
    # Lint errors (e.g. two rules alike in name and labels) fail too, not only syntax.
    result = _run("check", "rules", "--lint=all", "--lint-fatal", path.name, cwd=path.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def run_tests(rules: Path, tests: list[dict[str, Any]], interval: str = "1m") -> None:
    """Run promtool test rules with `tests` (each: interval, input_series and checks)."""
    document = {
        "rule_files": [rules.name],
        "evaluation_interval": interval,
        "tests": tests,
    }
    path = rules.parent / "rules_test.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = _run("test", "rules", path.name, cwd=rules.parent)
    assert result.returncode == 0, result.stdout + result.stderr
