"""Run `awx-runtime rightsize` in-process against the test Prometheus and read its report."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.cli import main
from tests.runtime.rightsizing.history import END

STACK = Path(__file__).parent / "stacks" / "Pulumi.rightsize.yaml"


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def recommendations(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = json.loads(self.stdout)["recommendations"]
        return items

    def by_field(self, field: str) -> dict[str, Any]:
        found = [item for item in self.recommendations if item["field"] == field]
        assert len(found) == 1, f"{field}: {len(found)} recommendations in {self.stdout}"
        return found[0]

    def fields(self) -> set[str]:
        return {item["field"] for item in self.recommendations}


def rightsize(url: str | None, *arguments: str, stack: Path = STACK, fmt: str = "json") -> Run:
    argv = ["--log-format", "text", "rightsize", "--stack-file", str(stack), "--format", fmt]
    argv += ["--until", str(END)]
    if url is not None:
        argv += ["--prometheus-url", url]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main([*argv, *arguments])
    return Run(status, stdout.getvalue(), stderr.getvalue())
