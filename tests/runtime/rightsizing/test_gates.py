"""Every gate against the real Prometheus: what each holds back, and how it says so."""

from __future__ import annotations

from pathlib import Path

from runtime.rightsizing import quantities
from tests.runtime.rightsizing.advisor_run import STACK, rightsize


def test_change_cap_takes_a_step_and_says_how_far_the_history_asks(prometheus_url: str) -> None:
    capped = rightsize(prometheus_url).by_field("awx.resources.web.requests.cpu")
    full = rightsize(prometheus_url, "--max-change-percent", "1000").by_field(
        "awx.resources.web.requests.cpu"
    )
    assert capped["recommended"] == "125m"  # 250m - 50%
    assert f"(uncapped: {full['recommended']})" in capped["reason"]
    assert "Capped at 50%" in capped["reason"]
    assert capped["blocked_by"] is None
    increase = rightsize(prometheus_url, "--max-change-percent", "20").by_field(
        "awx.resources.task.requests.cpu"
    )
    assert increase["recommended"] == "600m"  # 500m + 20%


def test_change_cap_that_leaves_no_step_blocks(prometheus_url: str) -> None:
    run = rightsize(prometheus_url, "--max-change-percent", "5")
    bound = run.by_field("autoscaling.max_task_replicas")
    assert bound["current"] == 10
    assert bound["recommended"] == 10  # 5% of 10 pods is less than a pod
    assert bound["blocked_by"] == "max-change-percent"


def test_min_confidence_holds_back_everything_below_it(prometheus_url: str) -> None:
    run = rightsize(prometheus_url, "--min-confidence", "1")
    assert all(i["blocked_by"] in (None, "protected") for i in run.recommendations)
    fresh = rightsize(prometheus_url, "--namespace", "awx-fresh", "--min-confidence", "0.3")
    assert {i["blocked_by"] for i in fresh.recommendations} == {"min-confidence"}


def test_max_risk_holds_back_riskier_recommendations(prometheus_url: str) -> None:
    lenient = rightsize(prometheus_url, "--max-risk", "critical")
    strict = rightsize(prometheus_url, "--max-risk", "low")
    medium = [i for i in lenient.recommendations if i["risk"] == "medium"]
    assert medium, "the history has throttled and OOM-killed containers"
    for item in medium:
        held = strict.by_field(item["field"])
        assert held["blocked_by"] == "max-risk", item["field"]
    lows = [i for i in strict.recommendations if i["risk"] == "low"]
    assert lows and all(i["blocked_by"] in (None, "protected") for i in lows)


def test_protected_components_come_from_the_stack_file(prometheus_url: str, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.protected.yaml"
    stack.write_text(STACK.read_text() + "  awx-platform:rightsizing:\n    protected: [web, job]\n")
    run = rightsize(prometheus_url, stack=stack)
    blocked = {i["component"] for i in run.recommendations if i["blocked_by"] == "protected"}
    assert blocked == {"web", "job"}
    postgres = [i for i in run.recommendations if i["component"] == "postgres"]
    assert postgres and all(i["blocked_by"] != "protected" for i in postgres)


def test_floor_holds_a_value_at_its_minimum(prometheus_url: str, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.floor.yaml"
    stack.write_text(
        STACK.read_text().replace(
            "      redis:\n",
            "      rsyslog:\n        requests: {cpu: 10m, memory: 64Mi}\n"
            "        limits: {cpu: 250m, memory: 256Mi}\n      redis:\n",
        )
    )
    run = rightsize(prometheus_url, stack=stack)
    floor = run.by_field("awx.resources.rsyslog.requests.cpu")
    assert floor["current"] == "10m"
    assert floor["recommended"] == "10m"  # the history asks for about 7m
    assert floor["blocked_by"] == "floor"
    # Above the floor, the floor is where a decrease stops.
    default = rightsize(prometheus_url, "--max-change-percent", "1000")
    lowered = default.by_field("awx.resources.rsyslog.requests.cpu")
    assert lowered["current"] == "50m"
    assert lowered["recommended"] == "10m"
    assert lowered["blocked_by"] is None
    assert "Raised to the floor of 10m." in lowered["reason"]


def test_requests_never_pass_the_limit_in_force(prometheus_url: str) -> None:
    run = rightsize(prometheus_url, "--max-change-percent", "1000")
    for item in run.recommendations:
        if ".requests." not in item["field"] or item["blocked_by"] is not None:
            continue
        limit_field = item["field"].replace(".requests.", ".limits.")
        limits = [i for i in run.recommendations if i["field"] == limit_field]
        if limits and limits[0]["blocked_by"] is None:
            assert quantities.parse(item["recommended"]) <= quantities.parse(
                limits[0]["recommended"]
            ), item["field"]
