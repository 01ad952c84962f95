"""Object-store emulators for tests, each a real server process on a free port:
moto in server mode (S3), Azurite (npm, installed by `make npm-tools` into .tools/npm) and
gcp-storage-emulator (PyPI).

    with running_moto() as url: ...          # S3 endpoint URL, any access key accepted
    with running_moto(auth=True) as url: ... # IAM authentication on (see moto_user)
    with running_azurite() as url: ...       # blob endpoint, account devstoreaccount1
    with running_gcs_emulator() as url: ...  # value for STORAGE_EMULATOR_HOST
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.services.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
AZURITE = ROOT / ".tools" / "npm" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
"""Azurite's fixed, publicly documented development account key (not a secret)."""
START_TIMEOUT = 180.0
"""Generous: on a loaded CI machine node and moto can take a minute to listen."""


def azurite_connection_string(blob_url: str, key: str = AZURITE_KEY) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={key};"
        f"BlobEndpoint={blob_url};"
    )


def _wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text()[-2000:]
            raise RuntimeError(f"server exited with {process.returncode}: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not listen on {port} in {START_TIMEOUT}s: {log.read_text()}")


@contextmanager
def _server(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="awx-store-") as directory:
        log = Path(directory, "log")
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=directory,
                env={**os.environ, **(env or {})},
            )
        try:
            _wait_for_port(process, port, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_moto(auth: bool = False) -> Iterator[str]:
    """moto_server; with `auth`, requests are authenticated against moto's IAM after the first
    AUTH_FREE_ACTIONS (enough to create a user, its key and a bucket: see moto_user)."""
    port = free_port()
    env = {"INITIAL_NO_AUTH_ACTION_COUNT": str(AUTH_FREE_ACTIONS)} if auth else {}
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with _server(command, port, env):
        yield f"http://127.0.0.1:{port}"


AUTH_FREE_ACTIONS = 4
"""create_user, put_user_policy, create_access_key, create_bucket."""


@contextmanager
def running_azurite() -> Iterator[str]:
    if not AZURITE.exists():
        raise RuntimeError(f"{AZURITE} missing: run `make npm-tools`")
    port = free_port()
    command = [
        str(AZURITE),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--inMemoryPersistence",
        "--skipApiVersionCheck",
        "--silent",
    ]
    with _server(command, port):
        yield f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"


@contextmanager
def running_gcs_emulator() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gcp_storage_emulator",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--in-memory",
    ]
    with _server(command, port):
        yield f"http://127.0.0.1:{port}"
