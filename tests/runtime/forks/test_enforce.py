"""`awx-runtime forks enforce --once` against the fake AWX API: drift, dry run, every error path."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.awx_api import FakeAwx
from tests.runtime.forks.enforcer import LIMITS, closed_port, enforce


@pytest.fixture
def awx() -> Iterator[FakeAwx]:
    with FakeAwx.running() as fake:
        fake.state.add_job_templates(300, forks=10)
        for template_id in (4, 120, 121, 299):
            fake.state.job_templates[template_id]["forks"] = 150
        yield fake


def test_drift_is_corrected_with_few_requests(awx: FakeAwx) -> None:
    run = enforce(awx.url, *LIMITS)
    assert run.status == 0, run.stderr
    state = awx.state
    assert state.max_forks == 20
    assert state.group("default")["max_forks"] == 40
    assert state.group("default")["max_concurrent_jobs"] == 10
    assert state.group("controlplane")["max_forks"] == 0
    assert state.templates_above(20) == []
    assert [state.job_templates[i]["forks"] for i in (4, 120, 3)] == [20, 20, 10]
    # settings GET+PATCH, group GET+PATCH, one filtered listing, one PATCH per offender.
    assert state.count("GET") == 3
    assert state.count("PATCH") == 6
    assert state.count("PATCH", "/api/v2/job_templates/") == 4
    listing = [r for r in state.requests if r.path == "/api/v2/job_templates/"]
    assert listing[0].query["forks__gt"] == "20"
    (done,) = run.events("pass")
    assert done["drift"] == {"max_forks": 1, "instance_group": 1, "job_template": 4}
    assert done["errors"] == 0


def test_a_second_pass_finds_nothing_to_do(awx: FakeAwx) -> None:
    assert enforce(awx.url, *LIMITS).status == 0
    before = awx.state.count()
    run = enforce(awx.url, *LIMITS)
    assert run.status == 0
    assert awx.state.count() - before == 3
    assert awx.state.count("PATCH") == 6
    assert run.events("pass")[0]["drift"] == {}


def test_offenders_on_many_pages_are_all_brought_down(awx: FakeAwx) -> None:
    awx.state.add_job_templates(450, forks=64, prefix="wide")
    run = enforce(awx.url, *LIMITS)
    assert run.status == 0, run.stderr
    assert awx.state.templates_above(20) == []
    listing = [r for r in awx.state.requests if r.path.startswith("/api/v2/job_templates/?")]
    assert listing == []  # `next` links are followed as paths with their query
    pages = [r for r in awx.state.requests if r.path == "/api/v2/job_templates/"]
    assert [r.query.get("page", "1") for r in pages] == ["1", "2", "3"]
    assert awx.state.count("PATCH", "/api/v2/job_templates/") == 454


def test_dry_run_reports_but_changes_nothing(awx: FakeAwx) -> None:
    run = enforce(awx.url, *LIMITS, "--dry-run")
    assert run.status == 0
    assert awx.state.count("PATCH") == 0
    assert awx.state.max_forks == 200
    assert awx.state.templates_above(20) == [4, 120, 121, 299]
    reported = run.events("job_template")
    assert [entry["template_id"] for entry in reported] == [4, 120, 121, 299]
    assert all(entry["dry_run"] is True for entry in reported)
    assert "found (dry run, left as is)" in reported[0]["message"]


def test_dry_run_from_the_environment(awx: FakeAwx) -> None:
    assert enforce(awx.url, *LIMITS, FORKS_DRY_RUN="true").status == 0
    assert awx.state.count("PATCH") == 0


def test_limits_and_credentials_from_the_environment(awx: FakeAwx, tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("admin-password\n")
    run = enforce(
        awx.url,
        token=None,
        AWX_MAX_FORKS="25",
        AWX_INSTANCE_GROUPS="default=50:5,controlplane=0:0",
        AWX_USERNAME="admin",
        AWX_PASSWORD_FILE=str(password),
    )
    assert run.status == 0, run.stderr
    assert awx.state.max_forks == 25
    assert awx.state.group("default")["max_concurrent_jobs"] == 5
    assert awx.state.templates_above(25) == []


def test_wrong_credentials_stop_the_pass_with_one_clear_line(awx: FakeAwx) -> None:
    run = enforce(awx.url, *LIMITS, token="stolen")
    assert run.status == 1
    assert run.errors == [
        f"AWX refused the credentials for GET {awx.url}/api/v2/settings/jobs/ (401: "
        "Authentication credentials were not provided.); check AWX_TOKEN or "
        "AWX_USERNAME/AWX_PASSWORD"
    ]
    assert awx.state.count() == 1  # not retried, and nothing else tried


def test_a_read_only_token_is_forbidden_to_write(awx: FakeAwx) -> None:
    awx.state.tokens["auditor-token"] = "auditor"
    run = enforce(awx.url, *LIMITS, token="auditor-token")
    assert run.status == 1
    (error,) = run.errors
    assert "AWX forbids PATCH" in error
    assert "(403: You do not have permission to perform this action.)" in error
    assert "needs superuser rights" in error
    assert run.logs[-2]["error_type"] == "forbidden"


def test_a_missing_instance_group_is_named_and_the_rest_still_runs(awx: FakeAwx) -> None:
    run = enforce(awx.url, *LIMITS, "--instance-group", "gpu=8:2")
    assert run.status == 1
    assert run.errors == [
        "AWX has no instance group named 'gpu'; check --instance-group / AWX_INSTANCE_GROUPS"
    ]
    assert awx.state.templates_above(20) == []
    assert awx.state.group("default")["max_forks"] == 40


def test_a_wrong_url_path_is_a_404_naming_the_url(awx: FakeAwx) -> None:
    run = enforce(awx.url + "/awx", *LIMITS)
    assert run.status == 1
    # Not fatal by itself (one missing object should not stop the rest): each step says so.
    assert len(run.errors) == 3
    assert run.errors[0] == (
        f"AWX has no {awx.url}/awx/api/v2/settings/jobs/ (404: Not found.); check AWX_API_URL "
        "and the object's name"
    )


def test_an_unreachable_awx_is_retried_then_named() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    run = enforce(url, *LIMITS)
    assert run.status == 1
    (error,) = run.errors
    assert error.startswith(f"cannot reach AWX at {url}/api/v2/settings/jobs/ after 2 tries (")
    assert error.endswith("check AWX_API_URL and that the AWX web service is up")
    assert run.events("pass")[0]["requests"] == 2


def test_transient_errors_are_retried(awx: FakeAwx) -> None:
    awx.state.fail_next(503)
    awx.state.fail_next(429)
    run = enforce(awx.url, *LIMITS, "--attempts", "3")
    assert run.status == 0, run.stderr
    assert awx.state.max_forks == 20
    assert run.events("pass")[0]["requests"] == 11


def test_retries_are_bounded(awx: FakeAwx) -> None:
    awx.state.fail_next(503, times=10)
    run = enforce(awx.url, *LIMITS)
    assert run.status == 1
    assert run.errors[0].startswith("AWX failed GET")
    assert "(503: injected failure 503)" in run.errors[0]
    # Each step gives up after two tries and the next step is attempted.
    assert run.events("pass")[0]["requests"] == 6


def test_read_only_max_forks_and_rejected_templates_are_reported(awx: FakeAwx) -> None:
    awx.state.max_forks = 10
    awx.state.read_only_settings.add("MAX_FORKS")
    run = enforce(awx.url, *LIMITS)
    assert run.status == 1
    assert run.errors[0].startswith(
        "MAX_FORKS stayed at 10 after PATCH /api/v2/settings/jobs/ (wanted 20)"
    )
    rejected = run.errors[1:]
    assert len(rejected) == 4
    assert rejected[0] == (
        f"AWX rejected PATCH {awx.url}/api/v2/job_templates/4/ (400: forks: Maximum number of "
        "forks (10) exceeded.)"
    )
    assert run.events("pass")[0]["drift"] == {"instance_group": 1}


CONFIG_CASES = [
    (["--instance-group", "default=40:10"], {}, "--max-forks / AWX_MAX_FORKS: required, not set"),
    (["--max-forks", "many"], {}, "--max-forks / AWX_MAX_FORKS: 'many' is not an integer"),
    (["--max-forks", "0"], {}, "--max-forks / AWX_MAX_FORKS: must be positive"),
    (
        [*LIMITS, "--instance-group", "default"],
        {},
        "--instance-group / AWX_INSTANCE_GROUPS: 'default' is not "
        "NAME=MAX_FORKS:MAX_CONCURRENT_JOBS",
    ),
    (LIMITS, {"AWX_TOKEN": ""}, "no AWX credentials: set AWX_TOKEN"),
    (
        LIMITS,
        {"AWX_TOKEN_FILE": "/nonexistent/token"},
        "--token-file / AWX_TOKEN_FILE: cannot read",
    ),
    ([*LIMITS, "--interval", "-5"], {}, "--interval / ENFORCE_INTERVAL_SECONDS: must be positive"),
    (
        LIMITS,
        {"FORKS_DRY_RUN": "maybe"},
        "--dry-run / FORKS_DRY_RUN: must be true or false; got 'maybe'",
    ),
    ([*LIMITS, "--ca-file", "/nonexistent/ca.pem"], {}, "--ca-file / AWX_CA_FILE: no such file"),
]


@pytest.mark.parametrize(("flags", "variables", "message"), CONFIG_CASES)
def test_bad_settings_fail_before_any_request(
    awx: FakeAwx, flags: list[str], variables: dict[str, str], message: str
) -> None:
    variables = dict(variables)
    token = variables.pop("AWX_TOKEN", "admin-token") or None
    run = enforce(awx.url, *flags, token=token, **variables)
    assert run.status == 2
    (error,) = run.errors
    assert error.startswith(message), error
    assert awx.state.count() == 0


def test_the_url_must_be_http_or_https(awx: FakeAwx) -> None:
    run = enforce("ftp://awx.example.com", *LIMITS)
    assert run.status == 2
    assert run.errors == [
        "--url / AWX_API_URL: must start with http:// or https://; got 'ftp://awx.example.com'"
    ]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "awx.crt", directory / "awx.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def test_tls_is_verified_against_the_given_ca(certificate: tuple[str, str]) -> None:
    with FakeAwx.running(tls=certificate) as awx:
        untrusted = enforce(awx.url, *LIMITS)
        assert untrusted.status == 1
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.errors[0]
        assert awx.state.count() == 0  # no request was sent over the unverified connection
        trusted = enforce(awx.url, *LIMITS, AWX_CA_FILE=certificate[0])
        assert trusted.status == 0, trusted.stderr
        assert awx.state.max_forks == 20
