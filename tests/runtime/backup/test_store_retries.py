"""Store fault handling through a fault-injecting proxy between each cloud store and its
emulator: throttling, 5xx, dropped connections and timeouts retried (runtime/retry.py),
bounded, and one-line errors when retries run out."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from runtime.backup.store import (
    StoreError,
)
from runtime.backup.stores import open_store
from tests.runtime.backup.stores import (
    PART,
    Emulators,
    StoreEnv,
    create_bucket,
    env_for,
    keys,
    payload,
    unique_name,
    upload,
)
from tests.services.faulty_proxy import (
    SERVER_BUSY,
    SLOW_DOWN,
    TOO_MANY_REQUESTS,
    Fault,
    FaultyProxy,
)

# Faults: the proxy sits between the store and the emulator.

THROTTLE = {
    "s3": Fault(status=503, body=SLOW_DOWN, headers=(("Content-Type", "application/xml"),)),
    "azure": Fault(
        status=503,
        body=SERVER_BUSY,
        headers=(("Content-Type", "application/xml"), ("x-ms-error-code", "ServerBusy")),
    ),
    "gcs": Fault(
        status=429, body=TOO_MANY_REQUESTS, headers=(("Content-Type", "application/json"),)
    ),
}
CLOUD = ("s3", "azure", "gcs")


@pytest.fixture(params=CLOUD)
def proxied(
    request: pytest.FixtureRequest, emulators: Emulators
) -> Iterator[tuple[str, FaultyProxy, dict[str, str]]]:
    kind = request.param
    url = emulators.url(kind)
    name = unique_name("faults")
    create_bucket(kind, url, name)
    upstream = url.rsplit("/devstoreaccount1", 1)[0]
    with FaultyProxy(upstream) as proxy:
        proxy_url = proxy.url + ("/devstoreaccount1" if kind == "azure" else "")
        env = {**env_for(kind, proxy_url, name), "BACKUP_PART_SIZE_MIB": "5"}
        yield kind, proxy, env


def test_throttling_on_parts_is_retried_then_succeeds(
    proxied: tuple[str, FaultyProxy, dict[str, str]],
) -> None:
    kind, proxy, env = proxied
    store = open_store(env)
    fault = THROTTLE[kind]
    fault.method, fault.times = "PUT", 3
    proxy.add(fault)
    data = payload(2 * PART + 99)
    upload(store, "p/b/database.dump", data)
    assert proxy.injected == 3
    assert store.stats.retries == 3  # type: ignore[attr-defined]
    assert store.get_bytes("p/b/database.dump") == data


def test_5xx_and_dropped_connections_on_reads_are_retried(
    proxied: tuple[str, FaultyProxy, dict[str, str]],
) -> None:
    _kind, proxy, env = proxied
    store = open_store(env)
    store.put_bytes("p/manifest.json", b"{}")
    proxy.add(Fault(method="GET", status=500, body=b"internal error", times=1))
    proxy.add(Fault(method="GET", status=None, drop=True, times=1))
    assert store.get_bytes("p/manifest.json") == b"{}"
    assert proxy.injected == 2


def test_exhausted_retries_give_one_line_store_error(
    proxied: tuple[str, FaultyProxy, dict[str, str]],
) -> None:
    kind, proxy, env = proxied
    store = open_store(env)
    fault = THROTTLE[kind]
    fault.method, fault.times = "PUT", 100
    proxy.add(fault)
    writer = store.open_writer("p/b/database.dump")
    with pytest.raises(StoreError) as raised:
        writer.write(payload(PART))
        writer.commit()
    writer.abort()
    message = str(raised.value)
    assert "gave up after 4 attempts" in message
    assert "\n" not in message
    assert proxy.injected == 4
    proxy.faults.clear()
    assert keys(store) == []


def test_pvc_write_failure_leaves_no_temp_files(store_env: StoreEnv) -> None:
    env = store_env("pvc")
    store = open_store(env)
    writer = store.open_writer("p/b/database.dump")
    writer.write(b"partial")
    writer.abort()
    assert keys(store) == []
    assert [name for _, _, files in os.walk(env["BACKUP_PVC_PATH"]) for name in files] == []


def test_timeouts_are_retried(proxied: tuple[str, FaultyProxy, dict[str, str]]) -> None:
    _kind, proxy, env = proxied
    store = open_store({**env, "BACKUP_STORE_TIMEOUT_SECONDS": "1"})
    store.put_bytes("p/manifest.json", b"{}")
    # Answers only after the client gave up on the first attempt.
    proxy.add(Fault(method="GET", status=None, delay=3.0, times=1))
    assert store.get_bytes("p/manifest.json") == b"{}"
    assert proxy.injected == 1
    assert store.stats.retries >= 1  # type: ignore[attr-defined]


def test_s3_completion_whose_answer_was_lost_is_verified_not_failed(
    store_env: StoreEnv, emulators: Emulators
) -> None:
    env = store_env("s3")
    with FaultyProxy(emulators.url("s3")) as proxy:
        store = open_store(
            {**env, "BACKUP_S3_ENDPOINT_URL": proxy.url, "BACKUP_PART_SIZE_MIB": "5"}
        )
        # CompleteMultipartUpload is a POST with the upload id; its first answer is lost.
        proxy.add(Fault(method="POST", path_contains="uploadId=", lose_answer=True))
        data = payload(PART + 3)
        upload(store, "p/b/database.dump", data)
        assert proxy.injected == 1
        assert store.get_bytes("p/b/database.dump") == data
