"""What the awx-runtime image build takes as input and where it writes (docs/runtime.md).

Settings come from the environment (the Makefile passes them through), each with a default:
POSTGRES_MAJOR (15: awx-operator 2.19's managed PostgreSQL), DEBIAN_SUITE (bookworm, which
carries PostgreSQL 15; trixie carries 17), DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR, and
SOURCE_DATE_EPOCH (default: the time of the last git commit).
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
WORK = ROOT / "build" / "image"
NAME = "awx-runtime"
RUNTIME_USER_ID = 65532
"""The user every awx-runtime pod runs as (components/pods.py RUNTIME_USER_ID)."""
VENV = "/opt/awx-runtime"
DEFAULT_POSTGRES_MAJOR = 15
SUITE_POSTGRES_MAJORS = {"bookworm": 15, "trixie": 17}
"""The one PostgreSQL major each Debian suite carries; only used to word the error when the
suite lacks the one asked for (the suite's own package lists decide)."""


class ImageError(Exception):
    """A build or test step failed; the message names the setting, file or command."""


@dataclass(frozen=True)
class Settings:
    version: str
    postgres_major: int
    suite: str
    mirror: str
    security_mirror: str
    source_date_epoch: int
    revision: str

    @property
    def archive(self) -> Path:
        return DIST / f"{NAME}-{self.version}.oci.tar"

    @property
    def digest_file(self) -> Path:
        return DIST / f"{NAME}-{self.version}.oci.tar.digest"

    @property
    def sbom(self) -> Path:
        return DIST / f"{NAME}-{self.version}.cdx.json"

    @property
    def audit(self) -> Path:
        return DIST / f"{NAME}-{self.version}.pip-audit.json"

    @property
    def postgres_bin(self) -> str:
        return f"/usr/lib/postgresql/{self.postgres_major}/bin"


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def _git(*arguments: str) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ImageError(f"git {' '.join(arguments)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def postgres_major(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    text = environ.get("POSTGRES_MAJOR", str(DEFAULT_POSTGRES_MAJOR))
    if not text.isdigit() or int(text) < 10:
        raise ImageError(f"POSTGRES_MAJOR={text!r} is not a PostgreSQL major version (e.g. 15)")
    return int(text)


def load(environ: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    epoch = environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct")
    if not epoch.isdigit():
        raise ImageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds")
    return Settings(
        version=project_version(),
        postgres_major=postgres_major(environ),
        suite=environ.get("DEBIAN_SUITE", "bookworm"),
        mirror=environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian"),
        security_mirror=environ.get(
            "DEBIAN_SECURITY_MIRROR", "http://security.debian.org/debian-security"
        ),
        source_date_epoch=int(epoch),
        revision=_git("rev-parse", "HEAD"),
    )
