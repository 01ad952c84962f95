"""Bad settings exit 2 naming the flag (and variable) or file; failures exit 1 naming what
failed; environment variables stand in for flags; every report format carries the same data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.runtime.rightsizing.advisor_run import STACK, rightsize
from tests.services.postgres import free_port


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PROMETHEUS_URL", "AWX_DEPLOYMENT_NAME", "AWX_NAMESPACE", "AWX_JOB_NAMESPACE"):
        monkeypatch.delenv(name, raising=False)


def _stack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(text)
    return path


BAD_FLAGS = [
    ((), "--prometheus-url / PROMETHEUS_URL: required, not set"),
    (("--prometheus-url", "prometheus:9090"), "is not an http(s) URL"),
    (("--window", "14x"), "--window / RIGHTSIZE_WINDOW: '14x' is not a duration"),
    (("--window", "30m"), "--window / RIGHTSIZE_WINDOW: must be at least 1h"),
    (("--min-confidence", "1.5"), "--min-confidence / RIGHTSIZE_MIN_CONFIDENCE: '1.5' is not 0-1"),
    (("--min-confidence", "high"), "--min-confidence / RIGHTSIZE_MIN_CONFIDENCE"),
    (("--max-risk", "extreme"), "--max-risk / RIGHTSIZE_MAX_RISK: 'extreme' is not one of low"),
    (("--max-change-percent", "0"), "--max-change-percent / RIGHTSIZE_MAX_CHANGE_PERCENT: must be"),
    (("--max-change-percent", "ten"), "'ten' is not a number"),
    (("--until", "yesterday"), "--until / RIGHTSIZE_UNTIL: 'yesterday' is neither"),
    (("--deployment", "AWX_1"), "--deployment / AWX_DEPLOYMENT_NAME: 'AWX_1' is not a DNS-1123"),
    (("--namespace", "awx.jobs"), "--namespace / AWX_NAMESPACE: 'awx.jobs' is not a DNS-1123"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD_FLAGS)
def test_bad_flags_exit_2_naming_the_flag(arguments: tuple[str, ...], message: str) -> None:
    url = None if not arguments or arguments[0] == "--prometheus-url" else "http://127.0.0.1:9"
    run = rightsize(url, *arguments)
    assert run.status == 2, run.stderr
    assert message in run.stderr
    assert run.stdout == ""


BAD_STACKS = [
    (None, "cannot be read"),
    ("config: [1, 2\n", "not valid YAML"),
    ("- just\n- a list\n", "not a Pulumi stack file"),
    ("config: a string\n", "`config` must be a map"),
    ("config:\n  awx-platform:awx: 5\n", "awx-platform:awx must be a map"),
    (
        "config:\n  awx-platform:rightsizing:\n    protected: postgres\n",
        "rightsizing.protected must list",
    ),
    (
        "config:\n  awx-platform:rightsizing:\n    protected: [database]\n",
        "rightsizing.protected must list",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_STACKS)
def test_bad_stack_files_exit_2_naming_the_file(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "missing.yaml" if text is None else _stack(tmp_path, text)
    run = rightsize("http://127.0.0.1:9", stack=path)
    assert run.status == 2, run.stderr
    assert f"--stack-file {path}" in run.stderr
    assert message in run.stderr


def test_bad_format_is_refused_by_the_parser() -> None:
    with pytest.raises(SystemExit) as exit_info:
        rightsize("http://127.0.0.1:9", fmt="html")
    assert exit_info.value.code == 2


def test_unreachable_prometheus_exits_1_naming_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    run = rightsize(url)
    assert run.status == 1
    assert f"Prometheus at {url} is unreachable" in run.stderr
    assert len([line for line in run.stderr.splitlines() if line.startswith("error")]) == 1


def test_a_server_that_is_not_prometheus_exits_1(prometheus_url: str) -> None:
    run = rightsize(prometheus_url + "/not-an-api")
    assert run.status == 1
    assert f"Prometheus at {prometheus_url}/not-an-api refused a query (HTTP 404)" in run.stderr


def test_environment_variables_stand_in_for_flags(
    prometheus_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_URL", prometheus_url)
    monkeypatch.setenv("AWX_NAMESPACE", "awx-fresh")
    monkeypatch.setenv("AWX_DEPLOYMENT_NAME", "awx")
    run = rightsize(None)
    assert run.status == 0, run.stderr
    assert {i["component"] for i in run.recommendations} == {"web"}
    monkeypatch.setenv("AWX_DEPLOYMENT_NAME", "other")
    assert rightsize(None).recommendations == []  # no pods of an AWX named "other": exit 0
    assert rightsize(None).status == 0


def test_every_format_carries_the_same_recommendations(prometheus_url: str) -> None:
    as_json = rightsize(prometheus_url).recommendations
    as_yaml = yaml.safe_load(rightsize(prometheus_url, fmt="yaml").stdout)["recommendations"]
    assert as_yaml == as_json
    assert set(as_json[0]) == {
        "component",
        "container",
        "resource",
        "field",
        "current",
        "recommended",
        "confidence",
        "risk",
        "monthly_savings",
        "blocked_by",
        "reason",
    }
    markdown = rightsize(prometheus_url, fmt="markdown").stdout
    table = rightsize(prometheus_url, fmt="table").stdout
    assert markdown.startswith("## Right-sizing recommendations")
    for item in as_json:
        assert f"`{item['field']}`" in markdown
        assert item["reason"] in markdown
        assert item["field"] in table
    assert json.loads(json.dumps(as_json)) == as_json
    replicas = [i for i in as_json if i["resource"] == "replicas"]
    assert replicas and all(isinstance(i["current"], int) for i in replicas)


def _config_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components.config_check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_config_check_names_the_key(tmp_path: Path) -> None:
    assert _config_check(STACK).returncode == 0
    bad = _stack(
        tmp_path, STACK.read_text().replace("max_forks_per_task: 20", "max_forks_per_task: 50")
    )
    result = _config_check(bad)
    assert result.returncode == 1
    assert "awx-platform:autoscaling.max_forks_per_task" in result.stderr
    assert _config_check(tmp_path / "none.yaml").returncode == 2


def _imported_modules(group: str) -> str:
    probe = (
        f"import sys; from runtime.cli import build_parser; build_parser([{group!r}]); "
        "print(sorted(m for m in sys.modules if m.startswith(('runtime.', 'rich', 'ruamel'))))"
    )
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout


def test_only_the_requested_groups_module_is_imported() -> None:
    rightsize_only = _imported_modules("rightsize")
    assert "runtime.rightsizing.commands" in rightsize_only
    assert "runtime.backup.commands" not in rightsize_only
    backup_only = _imported_modules("backup")
    assert "runtime.rightsizing" not in backup_only
    assert "ruamel" not in backup_only
