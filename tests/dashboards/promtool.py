"""Runs dashboard PromQL through the real promtool (Debian package `prometheus`).

Grafana's variables are not PromQL, so each expression gets them replaced first the way Grafana
would send it: `$__rate_interval` and `$__range` by durations, `$slo` by a regex of SLO names.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

PROMTOOL = shutil.which("promtool")
VARIABLES = {"$__rate_interval": "1m", "$__range": "1h"}


def substitute(expr: str, slo_regex: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    expr = expr.replace("$slo", slo_regex)
    leftover = re.search(r"\$\w+|\$\{\w+\}", expr)
    assert leftover is None, f"unsubstituted Grafana variable {leftover.group(0)} in {expr}"
    return expr


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool is needed (Debian package prometheus)"
    return subprocess.run(
        [PROMTOOL, *map(str, args)], capture_output=True, text=True, check=False, timeout=120
    )


def write_rules(path: Path, exprs: Sequence[str]) -> Path:
    """A rule file with one recording rule per expression, named check:expr_<index>."""
    rules = [{"record": f"check:expr_{index}", "expr": expr} for index, expr in enumerate(exprs)]
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    return path


def write_test(path: Path, rule_file: Path, tests: list[dict[str, Any]]) -> Path:
    document = {"rule_files": [rule_file.name], "evaluation_interval": "1m", "tests": tests}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
