"""Build the Pulumi engine toolchain from the Go module proxy, for offline `pulumi up`.

No Pulumi CLI or provider binary can be downloaded on our machines, so this builds:
- the `pulumi` CLI at the version of the installed `pulumi` Python SDK,
- the Python language host, with `pulumi-language-python-exec` beside it,
- the Kubernetes provider at the commit of the installed `pulumi-kubernetes` SDK,
  installed into PULUMI_HOME with `pulumi plugin install`,
- actionlint, which checks our GitHub workflows,
into .tools/. Every step is skipped when its result is already there and current, so a
second run does nothing. Timings are printed. What the proxy serves, and why the language
host comes from an older SDK module, is written up in docs/engine.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path

from scripts.cluster import build as cluster_build
from scripts.gomodules import BIN, TOOLS, ToolchainError, download, remote_replaces, run

# Providers stay off PATH: a pulumi-resource-* on PATH would shadow the installed plugin.
PROVIDERS = TOOLS / "providers"

PKG = "github.com/pulumi/pulumi/pkg/v3"
SDK = "github.com/pulumi/pulumi/sdk/v3"
VERSION_FLAG = f"{SDK}/go/common/version.Version"
# The language host's own module is not served by the proxy; sdk/v3 carried the host's
# package until v3.79.0, and that host drives today's SDK through the exec script.
LANGUAGE_HOST_SDK = "v3.79.0"
KUBERNETES_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4"
# The proxy serves no tags for provider/v4, so each supported release maps to the
# pseudo-version of the commit its tag names (v4.25.0 tags f47bc2d6f199, read from the
# repository's refs/tags), built with the release's version string.
KUBERNETES_PROVIDER_COMMITS = {
    "4.25.0": "v4.0.0-20260115033456-f47bc2d6f199",
}

ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION = "v1.7.7"


def wanted_versions() -> tuple[str, str]:
    """(CLI version, Kubernetes plugin version) that the installed Python SDKs ask for."""
    cli = "v" + metadata.version("pulumi")
    plugin_file = resources.files("pulumi_kubernetes").joinpath("pulumi-plugin.json")
    kubernetes = json.loads(plugin_file.read_text())["version"]
    return cli, kubernetes


def version_of(binary: Path | str) -> str | None:
    try:
        result = subprocess.run(
            [str(binary), "version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_cli(version: str) -> str:
    target = BIN / "pulumi"
    if version_of(target) == version:
        return "present"
    on_path = shutil.which("pulumi", path=_path_without_tools())
    if on_path and version_of(on_path) == version:
        target.unlink(missing_ok=True)
        target.symlink_to(on_path)
        return f"using {on_path}"
    pkg_dir = download(PKG, version)
    with tempfile.TemporaryDirectory(prefix="pulumi-cli-") as work:
        # `go install` refuses pkg/v3 (its go.mod has replace directives), so build it
        # from a wrapper module that carries the same non-local replaces.
        wrapper = Path(work)
        run(["go", "mod", "init", "example.invalid/pulumi-cli"], cwd=wrapper)
        run(
            ["go", "mod", "edit", f"-require={PKG}@{version}", f"-require={SDK}@{version}"],
            cwd=wrapper,
        )
        replaces = remote_replaces(pkg_dir / "go.mod")
        if replaces:
            run(["go", "mod", "edit", *replaces], cwd=wrapper)
        run(
            ["go", "build", "-o", str(target), "-ldflags", f"-X {VERSION_FLAG}={version}",
             f"{PKG}/cmd/pulumi"],
            cwd=wrapper,
        )  # fmt: skip
    if version_of(target) != version:
        raise ToolchainError(f"built pulumi reports {version_of(target)!r}, expected {version}")
    return "built"


def ensure_language_host(sdk_version: str) -> str:
    host, exec_script = BIN / "pulumi-language-python", BIN / "pulumi-language-python-exec"
    stamp = BIN / ".pulumi-language-python.version"
    wanted = f"host {LANGUAGE_HOST_SDK}, exec {sdk_version}"
    if host.exists() and exec_script.exists() and _read(stamp) == wanted:
        return "present"
    with tempfile.TemporaryDirectory(prefix="pulumi-host-") as work:
        wrapper = Path(work)
        run(["go", "mod", "init", "example.invalid/pulumi-language-python"], cwd=wrapper)
        run(["go", "mod", "edit", f"-require={SDK}@{LANGUAGE_HOST_SDK}"], cwd=wrapper)
        run(
            ["go", "build", "-o", str(host), "-ldflags", f"-X {VERSION_FLAG}={LANGUAGE_HOST_SDK}",
             f"{SDK}/python/cmd/pulumi-language-python"],
            cwd=wrapper,
        )  # fmt: skip
    # The exec script belongs to the SDK the program imports, so it comes from that release.
    source = download(SDK, sdk_version) / "python" / "cmd" / "pulumi-language-python-exec"
    shutil.copyfile(source, exec_script)
    exec_script.chmod(0o755)
    stamp.write_text(wanted)
    return "built"


def ensure_kubernetes_provider(plugin_version: str) -> str:
    if _plugin_installed("kubernetes", plugin_version):
        return "present"
    commit = KUBERNETES_PROVIDER_COMMITS.get(plugin_version)
    if commit is None:
        raise ToolchainError(
            f"no provider commit is known for pulumi-kubernetes {plugin_version}; add its "
            "pseudo-version to KUBERNETES_PROVIDER_COMMITS in scripts/toolchain.py"
        )
    binary = PROVIDERS / "pulumi-resource-kubernetes"
    with tempfile.TemporaryDirectory(prefix="pulumi-kubernetes-") as work:
        source = Path(work) / "provider"
        shutil.copytree(download(KUBERNETES_PROVIDER, commit), source)
        for path in source.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)  # the module cache is read-only
        # sdk/v4 is replaced by ../sdk, which is not in the module zip: use the required version.
        run(
            ["go", "mod", "edit", "-dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4"],
            cwd=source,
        )
        # The embedded schema files are generated, not shipped in the module.
        command_dir = source / "cmd" / "pulumi-resource-kubernetes"
        run(["go", "run", "generate.go"], cwd=command_dir, extra_env={"VERSION": plugin_version})
        run(
            ["go", "build", "-o", str(binary), "-ldflags",
             f"-X {KUBERNETES_PROVIDER}/pkg/version.Version={plugin_version}",
             "./cmd/pulumi-resource-kubernetes"],
            cwd=source,
        )  # fmt: skip
    run([str(BIN / "pulumi"), "plugin", "install", "resource", "kubernetes", plugin_version,
         "--file", str(binary)])  # fmt: skip
    return "built and installed"


def ensure_actionlint() -> str:
    binary = BIN / "actionlint"
    if binary.exists():
        reported = run([str(binary), "-version"]).splitlines()
        if reported and reported[0] == ACTIONLINT_VERSION:
            return "present"
    run(["go", "install", f"{ACTIONLINT}@{ACTIONLINT_VERSION}"], extra_env={"GOBIN": str(BIN)})
    return "built"


def _plugin_installed(name: str, version: str) -> bool:
    if not (BIN / "pulumi").exists():
        return False
    listing = json.loads(run([str(BIN / "pulumi"), "plugin", "ls", "--json"]) or "[]")
    return any(p.get("name") == name and p.get("version") == version for p in listing)


def _path_without_tools() -> str:
    return os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != BIN
    )


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def main() -> int:
    if shutil.which("go") is None:
        print("toolchain: Go is needed to build the Pulumi CLI and providers", file=sys.stderr)
        return 1
    BIN.mkdir(parents=True, exist_ok=True)
    PROVIDERS.mkdir(parents=True, exist_ok=True)
    cli_version, kubernetes_version = wanted_versions()
    steps: list[tuple[str, Callable[[], str]]] = [
        (f"pulumi CLI {cli_version}", lambda: ensure_cli(cli_version)),
        ("python language host", lambda: ensure_language_host(cli_version)),
        (
            f"kubernetes provider {kubernetes_version}",
            lambda: ensure_kubernetes_provider(kubernetes_version),
        ),
        (f"actionlint {ACTIONLINT_VERSION}", ensure_actionlint),
        *cluster_build.STEPS,
    ]
    for name, step in steps:
        started = time.monotonic()
        try:
            outcome = step()
        except ToolchainError as error:
            print(f"toolchain: {name}: {error}", file=sys.stderr)
            return 1
        print(f"toolchain: {name:<48} {outcome:<20} {time.monotonic() - started:7.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
