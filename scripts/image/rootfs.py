"""The image's root filesystem: our wheel, then mmdebstrap, whose hook installs it.

Our wheel is built from a copy of the project that packages `runtime` only and depends on
exactly the `runtime` extra: the image runs no Pulumi program, so neither `components/` (the
runtime never imports it; import-linter holds that) nor the Pulumi SDKs go in. mmdebstrap
installs Debian's Essential set plus Python and the PostgreSQL client from the suite's own
archive and its security updates, runs scripts/image/customize.sh (which installs the wheel)
and writes one tarball, sorted, with mtimes clamped to SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from scripts.image.settings import (
    ROOT,
    RUNTIME_USER_ID,
    SUITE_POSTGRES_MAJORS,
    VENV,
    WORK,
    ImageError,
    Settings,
)

PACKAGES_FIND = 'include = ["components*", "runtime*"]'
"""pyproject.toml's package list, which the image's copy narrows to `runtime*`."""
DEPENDENCIES = re.compile(r"^dependencies = \[\n.*?^\]\n", re.MULTILINE | re.DOTALL)
CUSTOMIZE = ROOT / "scripts" / "image" / "customize.sh"
# Files no one reads in a container; dpkg skips them while unpacking (copyright stays).
DPKG_EXCLUDES = (
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/lintian/*",
)


def run(command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
    """Runs a build command with its output in `log`; a failure quotes the log's tail."""
    with log.open("w") as output:
        result = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, check=False
        )
    if result.returncode != 0:
        tail = "\n  ".join(log.read_text().splitlines()[-20:])
        raise ImageError(f"{command[0]} failed ({result.returncode}), see {log}:\n  {tail}")


def runtime_pyproject(text: str) -> str:
    """pyproject.toml for the image's wheel: package `runtime` only, and as its dependencies
    exactly the `runtime` extra (the Pulumi SDKs are the program's, not the pods')."""
    runtime = tomllib.loads(text)["project"]["optional-dependencies"]["runtime"]
    if PACKAGES_FIND not in text or len(DEPENDENCIES.findall(text)) != 1:
        raise ImageError(
            "pyproject.toml: expected one `dependencies = [...]` block and "
            f"[tool.setuptools.packages.find] {PACKAGES_FIND}; update scripts/image/rootfs.py"
        )
    listed = "".join(f"    {json.dumps(requirement)},\n" for requirement in runtime)
    narrowed = DEPENDENCIES.sub(lambda _: f"dependencies = [\n{listed}]\n", text)
    narrowed = narrowed.replace(PACKAGES_FIND, 'include = ["runtime*"]')
    project = tomllib.loads(narrowed)
    if project["project"]["dependencies"] != runtime:
        raise ImageError("scripts/image/rootfs.py: the narrowed pyproject.toml lost requirements")
    return narrowed


def staged_project(stage: Path) -> Path:
    """A copy of the project whose wheel is the runtime alone (see runtime_pyproject)."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    text = (ROOT / "pyproject.toml").read_text()
    (stage / "pyproject.toml").write_text(runtime_pyproject(text))
    shutil.copy2(ROOT / "README.md", stage / "README.md")
    shutil.copytree(
        ROOT / "runtime", stage / "runtime", ignore=shutil.ignore_patterns("__pycache__")
    )
    return stage


def wheelhouse(settings: Settings) -> tuple[Path, Path]:
    """(directory holding our wheel, the pip wheel that installs it with its dependencies)."""
    wheels, pip_dir = WORK / "wheels", WORK / "pip"
    for directory in (wheels, pip_dir):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    stage = staged_project(WORK / "project")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(settings.source_date_epoch)}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        [*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(stage)],
        WORK / "pip-wheel.log",
        env,
    )
    run([*pip, "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--dest",
         str(pip_dir), f"pip=={metadata.version('pip')}"], WORK / "pip-download.log")  # fmt: skip
    (pip_wheel,) = pip_dir.glob("pip-*.whl")
    return wheels, pip_wheel


def sources(settings: Settings) -> list[str]:
    suite = settings.suite
    return [
        f"deb {settings.mirror} {suite} main",
        f"deb {settings.mirror} {suite}-updates main",
        f"deb {settings.security_mirror} {suite}-security main",
    ]


def mmdebstrap_command(settings: Settings, output: Path) -> list[str]:
    includes = ["python3", "ca-certificates", f"postgresql-client-{settings.postgres_major}"]
    return [
        "mmdebstrap",
        "--variant=essential",
        "--format=tar",
        "--include=" + ",".join(includes),
        "--aptopt=Acquire::Languages none",
        *(f"--dpkgopt={option}" for option in DPKG_EXCLUDES),
        # /dev is the runtime's to populate: no device nodes in the layer.
        "--skip=output/dev",
        # customize.sh removes apt's state itself, locks included.
        "--skip=cleanup/apt",
        f"--customize-hook={CUSTOMIZE}",
        settings.suite,
        str(output),
        *sources(settings),
    ]


def missing_postgres_client(log: Path, settings: Settings) -> str | None:
    """The clear error when the suite has no postgresql-client of the asked major."""
    package = f"postgresql-client-{settings.postgres_major}"
    pattern = rf"(Unable to locate package |Package '?){re.escape(package)}\b"
    if not re.search(pattern, log.read_text()):
        return None
    carried = SUITE_POSTGRES_MAJORS.get(settings.suite)
    hint = f" (it carries {carried})" if carried else ""
    choices = ", ".join(f"{suite} {major}" for suite, major in SUITE_POSTGRES_MAJORS.items())
    return (
        f"POSTGRES_MAJOR={settings.postgres_major}: Debian {settings.suite} has no {package}"
        f"{hint}; each suite carries one major ({choices}): set POSTGRES_MAJOR to it or "
        "DEBIAN_SUITE to a suite that has this one"
    )


def build_rootfs(settings: Settings) -> Path:
    """The root filesystem as one uncompressed, reproducible tarball (the image's layer)."""
    wheels, pip_wheel = wheelhouse(settings)
    output = WORK / "rootfs.tar"
    output.unlink(missing_ok=True)
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": str(settings.source_date_epoch),
        "TMPDIR": str(WORK),
        "IMAGE_WHEELS": str(wheels),
        "IMAGE_PIP_WHEEL": str(pip_wheel),
        "IMAGE_VENV": VENV,
        "IMAGE_UID": str(RUNTIME_USER_ID),
        "IMAGE_REQUIREMENT": "awx-platform",
        "IMAGE_PIP_CERT": os.environ.get("PIP_CERT")
        or os.environ.get("SSL_CERT_FILE")
        or "/etc/ssl/certs/ca-certificates.crt",
    }
    log = WORK / "mmdebstrap.log"
    try:
        run(mmdebstrap_command(settings, output), log, env)
    except ImageError:
        if (reason := missing_postgres_client(log, settings)) is not None:
            raise ImageError(reason) from None
        raise
    return output
