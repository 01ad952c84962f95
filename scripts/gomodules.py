"""Running Go, fetching modules from the proxy, and building from wrapper modules.

One implementation for every tool `make toolchain` builds (scripts/toolchain.py for the
Pulumi engine, scripts/cluster/build.py for the control plane).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
BIN = TOOLS / "bin"
PULUMI_HOME = Path(os.environ.get("PULUMI_HOME", TOOLS / "pulumi-home"))

GO_ENV = {
    "GOFLAGS": "-mod=mod",
    "GOTOOLCHAIN": "local",
    # The sum database has no entry for the provider's pseudo-version.
    "GONOSUMDB": "github.com/pulumi/pulumi-kubernetes",
}


class ToolchainError(Exception):
    """A step failed; the message says which and why."""


def run(
    command: list[str], cwd: Path | None = None, extra_env: dict[str, str] | None = None
) -> str:
    env = {**os.environ, **GO_ENV, "PULUMI_HOME": str(PULUMI_HOME), **(extra_env or {})}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise ToolchainError(f"{' '.join(command)} failed:\n  " + "\n  ".join(output[-25:]))
    return result.stdout


def download(module: str, version: str) -> Path:
    """The module's directory in the Go module cache."""
    answer = json.loads(run(["go", "mod", "download", "-json", f"{module}@{version}"]) or "{}")
    if "Error" in answer or "Dir" not in answer:
        raise ToolchainError(f"the Go module proxy did not serve {module}@{version}: {answer}")
    return Path(answer["Dir"])


def remote_replaces(go_mod: Path) -> list[str]:
    replaces = json.loads(run(["go", "mod", "edit", "-json", str(go_mod)])).get("Replace") or []
    flags = []
    for replace in replaces:
        old, new = replace["Old"], replace["New"]
        if new.get("Version"):  # local (../sdk) replaces are covered by the requires
            old_ref = old["Path"] + (f"@{old['Version']}" if old.get("Version") else "")
            flags.append(f"-replace={old_ref}={new['Path']}@{new['Version']}")
    return flags
