"""Fixtures of the image tests (`make image-test`, after `make image`): the built archive
loaded into a private podman store, and the servers of the runtime tests, reused as they are
(PostgreSQL with AWX-like data, moto's S3, Pushgateway, Redis, the fake AWX and Kubernetes
APIs), which the containers reach over the host's network.

The tests carry the `image` marker, which the default run deselects (pyproject.toml addopts):
they need the image `make image` builds, so `make image-test` selects them with `-m image`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.image.settings import DEFAULT_POSTGRES_MAJOR, load
from tests.image.podman import Image, loaded_image

# Fixtures shared with the runtime tests: one implementation of each server.
from tests.runtime.backup.fixtures import age_keys, backup_source, pushgateway, restore_target
from tests.runtime.backup.stores import emulators, store_env
from tests.runtime.exporter.conftest import awx, kubernetes, redis_server

__all__ = ["age_keys", "awx", "backup_source", "emulators", "kubernetes", "pushgateway",
           "redis_server", "restore_target", "store_env"]  # fmt: skip

_SIZES: dict[str, str] = {}


@pytest.fixture(scope="session")
def postgres_major() -> int:
    """The major the image was built for: the Makefile passes the same POSTGRES_MAJOR."""
    return int(os.environ.get("POSTGRES_MAJOR", DEFAULT_POSTGRES_MAJOR))


@pytest.fixture(scope="session")
def archive() -> Path:
    path = load().archive
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make image` (make image-test does)")
    return path


@pytest.fixture(scope="session")
def image(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Image]:
    with loaded_image(archive, tmp_path_factory.mktemp("image")) as loaded:
        size = int(str(loaded.config()["Size"]))
        _SIZES["archive"] = f"{archive.stat().st_size / 1e6:.1f} MB"
        _SIZES["unpacked"] = f"{size / 1e6:.1f} MB"
        yield loaded


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _SIZES:
        sizes = ", ".join(f"{kind} {value}" for kind, value in _SIZES.items())
        terminalreporter.write_line(f"awx-runtime image size: {sizes}")
