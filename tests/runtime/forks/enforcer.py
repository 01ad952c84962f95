"""Run `awx-runtime forks enforce` the way a pod does: a subprocess with flags and environment."""

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
COMMAND = [sys.executable, "-m", "runtime", "forks", "enforce"]
LIMITS = ["--max-forks", "20", "--instance-group", "default=40:10"]
# Retries without waiting keep the error-path tests quick; the policy is still exercised.
FAST_RETRIES = ["--attempts", "2", "--backoff", "0"]


@dataclass(frozen=True)
class Run:
    status: int
    logs: list[dict[str, Any]]
    stderr: str

    def events(self, event: str) -> list[dict[str, Any]]:
        return [entry for entry in self.logs if entry.get("event") == event]

    @property
    def errors(self) -> list[str]:
        return [entry["message"] for entry in self.logs if entry["level"] == "error"]


def environment(**variables: str) -> dict[str, str]:
    """A clean environment: nothing AWX_* leaks in from the machine running the tests."""
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    return {**base, **variables}


def enforce(url: str, *flags: str, token: str | None = "admin-token", **variables: str) -> Run:
    env = environment(**variables)
    if token is not None:
        env["AWX_TOKEN"] = token
    result = subprocess.run(
        [*COMMAND, "--url", url, "--once", *FAST_RETRIES, *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(result.returncode, parse_logs(result.stderr), result.stderr)


def parse_logs(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
