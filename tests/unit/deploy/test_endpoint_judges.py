"""What counts as "at least Degraded" in AWX's ping document and the exporter's /health."""

from deploy.gates.endpoints import judge_exporter, judge_ping


def instance(node_type: str, capacity: int) -> dict[str, object]:
    return {"node": f"awx-task-{capacity}", "node_type": node_type, "capacity": capacity}


def test_ping_with_every_control_instance_reporting_capacity_is_healthy() -> None:
    instances = [instance("control", 42), instance("execution", 0)]
    ok, why = judge_ping({"ha": False, "version": "24.6.1", "instances": instances})
    assert ok and why == "Healthy: 1 control instances with capacity"


def test_ping_with_some_control_capacity_lost_is_degraded_and_passes() -> None:
    ok, why = judge_ping({"instances": [instance("hybrid", 10), instance("control", 0)]})
    assert ok and why == "Degraded: 1 of 2 control instances report no capacity"


def test_ping_without_control_capacity_fails() -> None:
    ok, why = judge_ping({"instances": [instance("control", 0), instance("execution", 50)]})
    assert not ok and why == "no control or hybrid instance reports capacity (1 listed)"


def test_a_document_that_is_not_the_ping_fails() -> None:
    ok, why = judge_ping({"detail": "Not found."})
    assert not ok and "not AWX's ping document" in why


def test_exporter_healthy_and_degraded_pass() -> None:
    assert judge_exporter(200, {"status": "Healthy", "components": {}}) == (True, "Healthy")
    assert judge_exporter(200, {"status": "Degraded"}) == (True, "Degraded")


def test_exporter_unhealthy_fails_naming_the_components() -> None:
    body = {"status": "Unhealthy", "components": {
        "database": {"status": "Unhealthy", "reason": "connection refused"},
        "redis": {"status": "Healthy"}}}  # fmt: skip
    assert judge_exporter(503, body) == (False, "HTTP 503, status 'Unhealthy' (database)")


def test_exporter_answer_without_status_fails() -> None:
    assert judge_exporter(404, {}) == (False, "HTTP 404, status None")
