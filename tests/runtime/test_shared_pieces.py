"""The shared flag/env parser (runtime/options.py), retry policy (runtime/retry.py) and HTTP
server (runtime/http_server.py), on their own: what every command group relies on."""

from __future__ import annotations

import argparse
from pathlib import Path

import httpx
import pytest

from runtime.errors import AwxRuntimeError, ConfigurationError
from runtime.http_server import HttpServer, Reply, json_reply
from runtime.options import Option, OptionValues, add_options
from runtime.retry import RetryPolicy, RetryStats, TransientError, with_retries

OPTIONS = (
    Option("url", "--url", "T_URL", "a URL"),
    Option("port", "--port", "T_PORT", "a port", "9180"),
    Option("dry_run", "--dry-run", "T_DRY_RUN", "change nothing", "false", switch=True),
    Option("groups", "--group", "T_GROUPS", "one group; repeatable", "", repeatable=True),
    Option("token_file", "--token-file", "T_TOKEN_FILE", "file with a token", ""),
)


def values(*flags: str) -> OptionValues:
    parser = argparse.ArgumentParser()
    add_options(parser, OPTIONS)
    return OptionValues(parser.parse_args(flags), OPTIONS)


def test_flag_beats_variable_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_URL", "http://from-env")
    monkeypatch.setenv("T_GROUPS", "a=1,b=2")
    monkeypatch.setenv("T_DRY_RUN", "yes")
    read = values("--port", "0", "--group", "c=3", "--group", "d=4")
    assert read.text("url") == "http://from-env"
    assert read.port("port") == 0
    assert read.items("groups") == ("c=3", "d=4")
    assert read.boolean("dry_run") is True
    monkeypatch.setenv("T_DRY_RUN", "false")
    assert values("--dry-run").boolean("dry_run") is True
    assert values().boolean("dry_run") is False
    assert values().items("groups") == ("a=1", "b=2")


@pytest.mark.parametrize(
    ("flags", "variables", "read", "message"),
    [
        ((), {}, None, "--url / T_URL: required, not set"),
        (("--port", "x"), {"T_URL": "u"}, "port", "--port / T_PORT: 'x' is not an integer"),
        (("--port", "70000"), {"T_URL": "u"}, "port", "--port / T_PORT: must be a port number"),
        ((), {"T_URL": "u", "T_DRY_RUN": "maybe"}, "dry_run", "--dry-run / T_DRY_RUN: must be"),
        (("--token-file", "/nonexistent"), {"T_URL": "u"}, "secret", "--token-file / T_TOKEN_FILE"),
    ],
)
def test_every_error_names_flag_and_variable(
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    variables: dict[str, str],
    read: str | None,
    message: str,
) -> None:
    for name in ("T_URL", "T_DRY_RUN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as failure:
        parsed = values(*flags)
        if read == "port":
            parsed.port("port")
        elif read == "dry_run":
            parsed.boolean("dry_run")
        elif read == "secret":
            parsed.secret("token_file", "T_TOKEN")
    assert str(failure.value).startswith(message), failure.value
    assert failure.value.exit_code == 2


def test_a_secret_comes_from_its_file_else_its_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("T_URL", "u")
    monkeypatch.setenv("T_TOKEN", "from-env")
    token = tmp_path / "token"
    token.write_text("from-file\n")
    assert values("--token-file", str(token)).secret("token_file", "T_TOKEN") == "from-file"
    assert values().secret("token_file", "T_TOKEN") == "from-env"
    token.write_text("  \n")
    with pytest.raises(ConfigurationError, match="is empty"):
        values("--token-file", str(token)).secret("token_file", "T_TOKEN")


def test_retries_stop_at_the_bound_and_say_why() -> None:
    waits: list[float] = []
    stats = RetryStats()

    def always_throttled() -> None:
        raise TransientError("HTTP 503")

    policy = RetryPolicy(attempts=4, base_delay=1.0, max_delay=3.0, jitter=False)
    with pytest.raises(AwxRuntimeError) as failure:
        with_retries(policy, "PUT key", always_throttled, stats=stats, sleep=waits.append)
    assert str(failure.value) == "PUT key: gave up after 4 attempts, last: HTTP 503"
    assert waits == [1.0, 2.0, 3.0]
    assert stats.retries == 3


def test_a_final_error_is_raised_as_is_and_a_success_ends_the_retries() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 2:
            raise TransientError("reset")
        return "done"

    assert with_retries(RetryPolicy(attempts=3), "op", flaky, sleep=lambda _: None) == "done"
    assert len(calls) == 2
    final = ValueError("the answer's own error")

    def hopeless() -> None:
        raise TransientError("503", final=final)

    with pytest.raises(ValueError) as failure:
        with_retries(RetryPolicy(attempts=2), "op", hopeless, sleep=lambda _: None)
    assert failure.value is final
    jittered = RetryPolicy(base_delay=2.0, max_delay=5.0)
    assert all(0 <= jittered.delay(attempt) <= 5.0 for attempt in range(1, 10))


def test_the_server_answers_its_routes_and_404_otherwise() -> None:
    server = HttpServer(
        {
            "/healthz": lambda: Reply(200, b"ok\n"),
            "/ready": lambda: json_reply(503, {"ready": False}),
        },
        "127.0.0.1",
        0,
    )
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        assert httpx.get(f"{base}/healthz?verbose=1").text == "ok\n"
        ready = httpx.get(f"{base}/ready")
        assert (ready.status_code, ready.json()) == (503, {"ready": False})
        assert ready.headers["content-type"] == "application/json"
        assert httpx.get(f"{base}/other").status_code == 404
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz")
