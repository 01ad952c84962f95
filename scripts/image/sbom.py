"""The image's SBOM (syft, CycloneDX JSON) and a vulnerability scan of its Python packages.

    python -m scripts.image.sbom      # after scripts.image.build; writes dist/awx-runtime-*

syft reads the OCI archive itself: Debian packages from dpkg's database, Python
distributions from the venv's dist-info, one document for both. The scan is pip-audit over
the venv's site-packages against PyPI's advisory data (the one vulnerability source this
machine reaches); no scanner here can reach a Debian vulnerability database, so the Debian
packages are not scanned and the summary says so instead of claiming they are clean.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

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
        raise ImageError(f"{PIP_AUDIT} missing: run `pip install -e '.[image]'` (make image)")
    packages = site_packages(WORK / "rootfs.tar", WORK / "audit")
    result = subprocess.run(
        [str(PIP_AUDIT), "--path", str(packages), "--vulnerability-service", "pypi",
         "--format", "json", "--output", str(settings.audit), "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if not settings.audit.exists():
        raise ImageError(f"pip-audit did not run ({result.returncode}): {result.stderr.strip()}")
    report = json.loads(settings.audit.read_text())
    findings = [
        f"{d['name']} {d['version']}: {v['id']}"
        for d in report.get("dependencies", [])
        for v in d.get("vulns", [])
    ]
    return {
        "python_packages_scanned": len(report.get("dependencies", [])),
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
