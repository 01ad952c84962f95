"""The image build's own logic that needs no build: the wheel's narrowed pyproject.toml and
the error for a Debian suite without the asked PostgreSQL major (tests/image runs the image)."""

import tomllib
from pathlib import Path

import pytest

from scripts.image import rootfs, settings
from scripts.image.settings import ROOT, ImageError

# What mmdebstrap printed when bookworm was asked for postgresql-client-16 (a real run).
BOOKWORM_WITHOUT_16 = """\
I: installing remaining packages inside the chroot...
Reading package lists...
Building dependency tree...
E: Unable to locate package postgresql-client-16
E: setup failed: E: apt-get --yes install python3 ca-certificates postgresql-client-16 failed
"""


def test_the_image_wheel_is_the_runtime_package_with_the_runtime_extra_as_dependencies() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    project = tomllib.loads(text)
    narrowed = tomllib.loads(rootfs.runtime_pyproject(text))
    assert (
        narrowed["project"]["dependencies"]
        == project["project"]["optional-dependencies"]["runtime"]
    )
    assert narrowed["tool"]["setuptools"]["packages"]["find"]["include"] == ["runtime*"]
    assert narrowed["project"]["scripts"] == project["project"]["scripts"]


def test_a_changed_pyproject_layout_stops_the_build_instead_of_shipping_the_program() -> None:
    text = (ROOT / "pyproject.toml").read_text().replace('"components*", ', "")
    with pytest.raises(ImageError, match=r"packages\.find"):
        rootfs.runtime_pyproject(text)


def test_a_suite_without_the_major_names_the_setting_and_what_the_suite_carries(
    tmp_path: Path,
) -> None:
    log = tmp_path / "mmdebstrap.log"
    log.write_text(BOOKWORM_WITHOUT_16)
    asked = settings.Settings("0.1.0", 16, "bookworm", "m", "s", 0, "r")
    message = rootfs.missing_postgres_client(log, asked)
    assert message is not None
    assert message.startswith("POSTGRES_MAJOR=16: Debian bookworm has no postgresql-client-16")
    assert "(it carries 15)" in message and "trixie 17" in message
    other = settings.Settings("0.1.0", 15, "bookworm", "m", "s", 0, "r")
    assert rootfs.missing_postgres_client(log, other) is None


@pytest.mark.parametrize("value", ["15.4", "abc", "9", ""])
def test_a_bad_postgres_major_is_refused_by_name(value: str) -> None:
    with pytest.raises(ImageError, match="POSTGRES_MAJOR"):
        settings.postgres_major({"POSTGRES_MAJOR": value})
