"""Drive the real Pulumi CLI (built by `make toolchain`) on a private copy of the project.

Each EngineProject gets its own directory and file backend, and on the local cluster
namespaces of its own (`target_cluster`), so tests and benchmarks never touch the working
tree's state or each other's objects. The toolchain itself is shared: .tools/bin
for the CLI and language host, .tools/pulumi-home for installed provider plugins.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOLS_BIN = ROOT / ".tools" / "bin"
PULUMI = TOOLS_BIN / "pulumi"
LOCAL_PASSPHRASE = "awx-platform-local"
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "components", "policies")


class EngineError(Exception):
    """A pulumi command failed; carries its combined output."""

    def __init__(self, command: list[str], output: str) -> None:
        super().__init__(f"{' '.join(command)} failed:\n{output}")
        self.output = output


@dataclass(frozen=True)
class Namespaces:
    awx: str
    monitoring: str

    @property
    def jobs(self) -> str:
        return f"{self.awx}-jobs"


@dataclass
class EngineProject:
    """A copy of the program with one stack file, run by the real engine offline."""

    directory: Path
    stack: str = "local"

    @classmethod
    def create(cls, directory: Path, stack: str = "local") -> EngineProject:
        if not PULUMI.exists():
            raise FileNotFoundError(f"{PULUMI} is missing: run `make toolchain` first")
        directory.mkdir(parents=True, exist_ok=True)
        for name in (*PROJECT_FILES, f"Pulumi.{stack}.yaml"):
            source, target = ROOT / name, directory / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)
        (directory / ".state").mkdir()
        project = cls(directory, stack)
        project.pulumi("stack", "select", "--create", stack)
        return project

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(ROOT / ".tools" / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{self.directory / '.state'}",
            "PULUMI_CONFIG_PASSPHRASE": LOCAL_PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
        }

    @property
    def rendered(self) -> Path:
        return self.directory / "rendered" / self.stack

    def pulumi(
        self, *arguments: str, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [str(PULUMI), "--non-interactive", *arguments]
        if not {"--stack", "--file"} & set(arguments) and (
            arguments[:1] != ("stack",) or arguments[1:2] not in (("select",), ("init",))
        ):
            command += ["--stack", self.stack]
        result = subprocess.run(
            command,
            cwd=cwd or self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise EngineError(command, result.stdout + result.stderr)
        return result

    def set_config(self, path: str, value: str) -> None:
        self.pulumi("config", "set", "--path", path, value)

    def target_cluster(self, kubeconfig: Path, tag: str) -> Namespaces:
        """Deploy this copy to the cluster of `kubeconfig`, in namespaces of its own."""
        namespaces = Namespaces(awx=f"awx-{tag}", monitoring=f"monitoring-{tag}")
        self.set_config("cluster.kubeconfig", str(kubeconfig))
        self.set_config("awx.namespace", namespaces.awx)
        self.set_config("monitoring.namespace", namespaces.monitoring)
        return namespaces

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.pulumi("up", "--yes", *extra)

    def preview_summary(self) -> dict[str, int]:
        document = json.loads(self.pulumi("preview", "--json").stdout)
        return dict(document.get("changeSummary") or {})

    def analyze(self, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`pulumi stack export`, then `pulumi policy analyze --file` of it with the pack.

        Run from the pack's directory: the Python language host we can build runs a policy
        pack from the CLI's working directory (docs/policies-howto.md).
        """
        state = self.directory / "state.json"
        state.write_text(self.pulumi("stack", "export").stdout)
        return self.pulumi(
            "policy", "analyze", "--file", str(state), "--policy-pack", ".",
            check=check, cwd=self.directory / "policies",
        )  # fmt: skip

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "output", "--json").stdout))

    def export(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "export").stdout))
