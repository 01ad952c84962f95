"""The fake AWX API behaves like AWX for what the enforcer relies on (checked with plain httpx)."""

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.awx_api import FakeAwx

ADMIN = {"Authorization": "Bearer admin-token"}


@pytest.fixture
def awx() -> Iterator[FakeAwx]:
    with FakeAwx.running() as fake:
        yield fake


def get(awx: FakeAwx, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(awx.url + path, headers=ADMIN if headers is None else headers)


def test_listings_paginate_with_count_next_and_previous(awx: FakeAwx) -> None:
    awx.state.add_job_templates(60)
    first = get(awx, "/api/v2/job_templates/").json()
    assert first["count"] == 60
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert first["next"] == "/api/v2/job_templates/?page=2"
    last = get(awx, "/api/v2/job_templates/?page=3").json()
    assert [t["id"] for t in last["results"]] == list(range(51, 61))
    assert last["next"] is None
    assert last["previous"] == "/api/v2/job_templates/?page=2"
    big = get(awx, "/api/v2/job_templates/?page_size=1000").json()
    assert len(big["results"]) == 60
    assert get(awx, "/api/v2/job_templates/?page_size=200&page=2").status_code == 404
    assert get(awx, "/api/v2/job_templates/?page=4").json() == {"detail": "Invalid page."}


def test_forks_gt_filters_on_the_server_and_links_keep_the_filter(awx: FakeAwx) -> None:
    ids = awx.state.add_job_templates(30, forks=5)
    for template_id in ids[::3]:
        awx.state.job_templates[template_id]["forks"] = 50
    page = get(awx, "/api/v2/job_templates/?forks__gt=20&page_size=4").json()
    assert page["count"] == 10
    assert all(t["forks"] == 50 for t in page["results"])
    assert page["next"] == "/api/v2/job_templates/?forks__gt=20&page_size=4&page=2"


def test_saving_forks_above_max_forks_is_refused_like_awx(awx: FakeAwx) -> None:
    awx.state.max_forks = 30
    (template_id,) = awx.state.add_job_templates(1, forks=5)
    path = f"{awx.url}/api/v2/job_templates/{template_id}/"
    refused = httpx.patch(path, json={"forks": 31}, headers=ADMIN)
    assert refused.status_code == 400
    assert refused.json() == {"forks": ["Maximum number of forks (30) exceeded."]}
    assert httpx.patch(path, json={"forks": 30}, headers=ADMIN).json()["forks"] == 30
    awx.state.max_forks = 0  # AWX: 0 means unlimited
    assert httpx.patch(path, json={"forks": 500}, headers=ADMIN).status_code == 200


def test_auth_failures_and_unknown_objects(awx: FakeAwx) -> None:
    assert get(awx, "/api/v2/ping/", headers={}).status_code == 200
    assert get(awx, "/api/v2/settings/jobs/", headers={}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert get(awx, "/api/v2/settings/jobs/", headers=wrong).status_code == 401
    assert (
        httpx.get(awx.url + "/api/v2/settings/jobs/", auth=("admin", "admin-password")).json()[
            "MAX_FORKS"
        ]
        == 200
    )
    awx.state.tokens["auditor-token"] = "auditor"
    auditor = {"Authorization": "Bearer auditor-token"}
    assert get(awx, "/api/v2/settings/jobs/", headers=auditor).status_code == 200
    forbidden = httpx.patch(
        awx.url + "/api/v2/settings/jobs/", json={"MAX_FORKS": 1}, headers=auditor
    )
    assert forbidden.status_code == 403
    assert get(awx, "/api/v2/job_templates/99/").json() == {"detail": "Not found."}
    assert get(awx, "/api/v2/nothing/").status_code == 404


def test_read_only_settings_ignore_writes_and_requests_are_counted(awx: FakeAwx) -> None:
    awx.state.read_only_settings.add("MAX_FORKS")
    answer = httpx.patch(awx.url + "/api/v2/settings/jobs/", json={"MAX_FORKS": 5}, headers=ADMIN)
    assert answer.json()["MAX_FORKS"] == 200
    awx.state.fail_next(503)
    assert get(awx, "/api/v2/settings/jobs/").status_code == 503
    assert get(awx, "/api/v2/settings/jobs/").status_code == 200
    assert awx.state.count() == 3
    assert awx.state.count("PATCH") == 1
    assert awx.state.count("GET", "/api/v2/settings/") == 2
