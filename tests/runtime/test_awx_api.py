"""The one AWX client (runtime/awx_api.py) as both its users call it: the enforcer (token,
retries) and the exporter's checks (no credentials, one try, every request observed)."""

from __future__ import annotations

import pytest

from runtime.awx_api import AwxApi, AwxApiError, Credentials, retry_policy
from tests.fakes.awx_api import FakeAwx
from tests.runtime.forks.enforcer import closed_port

NO_WAIT = retry_policy(attempts=3, backoff_seconds=0)
TOKEN = "admin-token"
"""The fake's superuser token."""


def test_transient_answers_are_retried_and_every_request_is_observed(awx_rest: FakeAwx) -> None:
    seen: list[tuple[str, int | None]] = []
    awx_rest.state.fail_next(503, times=2)
    with AwxApi(
        awx_rest.url,
        Credentials(token=TOKEN),
        retry=NO_WAIT,
        observe=lambda endpoint, status, _: seen.append((endpoint, status)),
    ) as api:
        settings = api.get("/api/v2/settings/jobs/")
        assert "MAX_FORKS" in settings
        assert api.requests_sent == 3
    assert seen == [("/api/v2/settings/jobs/", 503)] * 2 + [("/api/v2/settings/jobs/", 200)]


def test_the_last_transient_answer_is_the_error_with_its_fields(awx_rest: FakeAwx) -> None:
    awx_rest.state.fail_next(503, times=5)
    with (
        AwxApi(awx_rest.url, Credentials(token=TOKEN), retry=NO_WAIT) as api,
        pytest.raises(AwxApiError) as failure,
    ):
        api.get("/api/v2/settings/jobs/")
    error = failure.value
    assert (error.kind, error.status, error.method) == ("server", 503, "GET")
    assert error.path == "/api/v2/settings/jobs/"
    assert str(error).startswith(f"AWX failed GET {awx_rest.url}/api/v2/settings/jobs/ (503:")


def test_without_credentials_a_protected_endpoint_is_an_auth_error(awx_rest: FakeAwx) -> None:
    with AwxApi(awx_rest.url, None, retry=retry_policy(attempts=1)) as api:
        with pytest.raises(AwxApiError) as failure:
            api.get("/api/v2/settings/jobs/")
        assert api.requests_sent == 1
    assert (failure.value.kind, failure.value.status) == ("auth", 401)
    assert "check AWX_TOKEN" in str(failure.value)


def test_no_answer_is_a_connection_error_with_no_status_observed() -> None:
    closed_url = f"http://127.0.0.1:{closed_port()}"
    seen: list[int | None] = []
    with (
        AwxApi(closed_url, None, retry=NO_WAIT, observe=lambda _, s, __: seen.append(s)) as api,
        pytest.raises(AwxApiError) as failure,
    ):
        api.get("/api/v2/ping/")
    assert failure.value.kind == "connection"
    assert "after 3 tries" in str(failure.value)
    assert "ConnectError" in failure.value.reason
    assert seen == [None, None, None]
