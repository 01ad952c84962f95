"""What the image's one layer holds, read from the OCI archive itself: the `runtime` extra and
nothing of the Pulumi program, no compilers, package managers or their caches, no
set-user-ID programs, and bytecode that a read-only root filesystem never needs to rewrite."""

from __future__ import annotations

import gzip
import json
import re
import tarfile
import tomllib
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.image.settings import ROOT, VENV

pytestmark = pytest.mark.image

SITE = re.compile(rf"^\.?{VENV}/lib/python3\.\d+/site-packages/")
COMPILERS = re.compile(r"(^|/)(gcc|g\+\+|cc|c\+\+|cpp|clang|ld|as|make|rustc|go)(-[\d.]+)?$")
MARKER_ENVIRONMENT = {"python_version": "3.11", "python_full_version": "3.11.2",
                      "sys_platform": "linux", "platform_system": "Linux",
                      "platform_python_implementation": "CPython",
                      "implementation_name": "cpython", "os_name": "posix"}  # fmt: skip


class Layer:
    """The image's single layer: member names and the text of chosen files."""

    def __init__(self, archive: Path) -> None:
        with tarfile.open(archive) as oci:
            index = json.load(oci.extractfile("index.json"))  # type: ignore[arg-type]
            manifest = json.load(self._blob(oci, index["manifests"][0]["digest"]))
            (layer,) = manifest["layers"]
            with tarfile.open(fileobj=gzip.open(self._blob(oci, layer["digest"]))) as rootfs:
                self.members = {m.name.removeprefix("./"): m for m in rootfs}
                self.metadata = {
                    name: rootfs.extractfile(member).read().decode()  # type: ignore[union-attr]
                    for name, member in self.members.items()
                    if SITE.match("/" + name) and name.endswith(".dist-info/METADATA")
                }

    @staticmethod
    def _blob(oci: tarfile.TarFile, digest: str):  # type: ignore[no-untyped-def]
        return oci.extractfile("blobs/" + digest.replace(":", "/"))


@pytest.fixture(scope="module")
def layer(archive: Path) -> Layer:
    return Layer(archive)


def _distributions(layer: Layer) -> dict[str, list[Requirement]]:
    found = {}
    for text in layer.metadata.values():
        headers = Parser().parsestr(text, headersonly=True)
        requires = [Requirement(r) for r in headers.get_all("Requires-Dist") or []]
        found[canonicalize_name(headers["Name"])] = requires
    return found


def _applies(requirement: Requirement, extra: str) -> bool:
    """Whether the image's Python (3.11 on Linux) installs it, asked for with `extra`."""
    marker = requirement.marker
    return marker is None or marker.evaluate({**MARKER_ENVIRONMENT, "extra": extra})


def test_the_python_packages_are_the_runtime_extra_and_what_it_needs(layer: Layer) -> None:
    installed = _distributions(layer)
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    runtime = [Requirement(r) for r in project["optional-dependencies"]["runtime"]]
    # The image's awx-platform depends on exactly the runtime extra, not on the Pulumi SDKs.
    base = [r for r in installed["awx-platform"] if r.marker is None]
    assert sorted(map(str, base)) == sorted(map(str, runtime))
    needed, pending = {"awx-platform"}, [r for r in runtime if _applies(r, "")]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        needed.add(name)
        for dependency in installed.get(name, []):
            if canonicalize_name(dependency.name) not in needed and any(
                _applies(dependency, extra) for extra in {"", *requirement.extras}
            ):
                pending.append(dependency)
    assert set(installed) == needed, f"not needed: {set(installed) - needed}"
    assert not {"pip", "setuptools", "wheel", "pulumi"} & set(installed)


def test_the_program_is_not_in_the_image(layer: Layer) -> None:
    packages = {
        SITE.sub("", "/" + name).split("/")[0] for name in layer.members if SITE.match("/" + name)
    }
    assert "runtime" in packages
    assert "components" not in packages
    assert not [name for name in packages if name.startswith("pulumi")]


def test_no_compilers_package_managers_or_caches(layer: Layer) -> None:
    names = layer.members
    programs = [
        n for n in names if n.startswith(("usr/bin/", "usr/local/bin/", f"{VENV[1:]}/bin/"))
    ]
    assert not [p for p in programs if COMPILERS.search(p)]
    assert not [p for p in programs if p.rsplit("/", 1)[-1] in {"apt", "apt-get", "pip", "pip3"}]
    leftovers = [n for n in names if n.startswith(("var/cache/apt/", "var/lib/apt/lists/",
                 "root/.cache/", "tmp/")) and not names[n].isdir()]  # fmt: skip
    assert leftovers == []
    assert not [n for n in names if n.endswith(".deb")]


def test_nothing_can_gain_privileges_and_everything_belongs_to_root(layer: Layer) -> None:
    assert not [n for n, m in layer.members.items() if m.mode & 0o6000 and m.isfile()]
    # The runtime user owns nothing in the image: it can change nothing but its volumes.
    assert not [n for n, m in layer.members.items() if m.uid != 0]


def test_every_python_module_has_hash_checked_bytecode(layer: Layer) -> None:
    """Hash-based .pyc files stay valid whatever the files' mtimes, so a read-only root
    filesystem never leaves Python compiling on every start."""
    sources = [n for n in layer.members if n.endswith(".py") and SITE.match("/" + n)]
    compiled = {n for n in layer.members if n.endswith(".pyc")}
    missing = []
    for source in sources:
        directory, file = source.rsplit("/", 1)
        if not any(c.startswith(f"{directory}/__pycache__/{file[:-3]}.cpython-") for c in compiled):
            missing.append(source)
    assert sources and missing == []
