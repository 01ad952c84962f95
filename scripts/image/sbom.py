"""The image's SBOM (syft, CycloneDX JSON) and a vulnerability scan of its Python packages.

    python -m scripts.image.sbom      # after scripts.image.build; writes dist/awx-runtime-*

syft reads the OCI archive itself: Debian packages from dpkg's database, Python
distributions from the venv's dist-info, one document for both. The scan is pip-audit over
the venv's site-packages against PyPI's advisories. A package whose advisories cannot be
fetched (on our machines PyPI's per-release JSON API answers 404, so all of them) is listed as
not scanned, never as clean; no Debian vulnerability database is reachable either, so the
summary says what was not scanned instead of claiming it is clean. The release workflow
scans the whole image with grype, where its database is reachable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from scripts.image.rootfs import run
from scripts.image.settings import ROOT, VENV, WORK, ImageError, Settings, load

SYFT = ROOT / ".image-tools" / "bin" / "syft"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def write_sbom(settings: Settings) -> dict[str, int]:
    if not SYFT.exists():
        raise ImageError(f"{SYFT} missing: run scripts/image-deps.sh")
    quiet = {"SYFT_CHECK_FOR_APP_UPDATE": "false", "HOME": str(WORK), "PATH": "/usr/bin:/bin"}
    output = f"cyclonedx-json={settings.sbom}"
    command = [str(SYFT), "scan", f"oci-archive:{settings.archive}", "--quiet", "--output", output]
    run(command, WORK / "syft.log", quiet)
    document = json.loads(settings.sbom.read_text())
    counts: dict[str, int] = {}
    for component in document.get("components", []):
        purl = str(component.get("purl", ""))
        kind = purl.split("/", 1)[0].removeprefix("pkg:") if purl else component.get("type", "?")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def site_packages(layer: Path, target: Path) -> Path:
    """Extracts the venv's site-packages from the layer tarball (for pip-audit --path)."""
    prefix = f".{VENV}/lib/"
    with tarfile.open(layer) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(prefix)]
        archive.extractall(target, members=members, filter="data")
    (found,) = target.glob(f".{VENV}/lib/python3*/site-packages")
    return found


def audit(settings: Settings) -> dict[str, object]:
    if not PIP_AUDIT.exists():
        raise ImageError(f"{PIP_AUDIT} missing: run `make install` (the dev extra has it)")
    shutil.rmtree(WORK / "audit", ignore_errors=True)
    settings.audit.unlink(missing_ok=True)
    packages = site_packages(WORK / "rootfs.tar", WORK / "audit")
    result = subprocess.run(
        [str(PIP_AUDIT), "--path", str(packages), "--vulnerability-service", "pypi",
         "--format", "json", "--output", str(settings.audit), "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if not settings.audit.exists():
        raise ImageError(f"pip-audit did not run ({result.returncode}): {result.stderr.strip()}")
    return audit_summary(json.loads(settings.audit.read_text()))


def audit_summary(report: dict[str, Any]) -> dict[str, object]:
    """What pip-audit found, and what it could not look up: a package whose advisories
    could not be fetched was not scanned, and is never counted as clean."""
    dependencies = report.get("dependencies", [])
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    findings = [f"{d['name']} {d['version']}: {v['id']}" for d in audited for v in d["vulns"]]
    if not audited:
        verdict = f"not scanned: none of {len(dependencies)} packages could be looked up"
    elif findings:
        verdict = f"{len(findings)} known vulnerabilities in {len(audited)} packages scanned"
    else:
        verdict = f"no known vulnerabilities in {len(audited)} packages scanned"
    return {
        "python_packages": verdict,
        "python_not_scanned": skipped,
        "python_vulnerabilities": findings,
        "debian_packages": "not scanned: no Debian vulnerability database is reachable here",
    }


def main() -> int:
    try:
        settings = load()
        summary = {"sbom": str(settings.sbom), "components": write_sbom(settings)}
        summary.update(audit(settings))
    except ImageError as error:
        print(f"sbom: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
