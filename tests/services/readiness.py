"""Wait for a server a test started to answer its readiness endpoint."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


def wait_until_ready(
    url: str,
    process: subprocess.Popen[bytes],
    name: str,
    timeout: float = 30,
    log: Callable[[], str] = lambda: "",
) -> None:
    """Poll `url` until it answers 200; RuntimeError (with the server's log) if the process
    exits or `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{name} did not become ready\n{log()}".rstrip())
        time.sleep(0.1)
