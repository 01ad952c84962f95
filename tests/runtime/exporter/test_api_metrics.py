"""The exporter's probe metrics of AWX's API: requests by endpoint and status, and durations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.exporter.health.api_metrics import BUCKETS, NO_RESPONSE, ApiRequestMetrics
from tests.fakes.awx_status import FakeAwx
from tests.runtime.exporter.process import AWX_NAME, NAMESPACE, Exporter, running_exporter

Environment = Callable[..., dict[str, str]]
PING = "/api/v2/ping/"
INSTANCES = "/api/v2/instances/"


def requests_by(exporter: Exporter) -> dict[tuple[str, str], float]:
    found = {}
    for sample in exporter.samples():
        if sample.name == "awx_api_requests_total":
            labels = dict(sample.labels)
            assert set(labels) == {"name", "namespace", "endpoint", "code"}
            assert (labels["name"], labels["namespace"]) == (AWX_NAME, NAMESPACE)
            found[(labels["endpoint"], labels["code"])] = sample.value
    return found


def test_successful_probes_are_counted_by_endpoint_and_status_and_timed(
    base_environment: Environment,
) -> None:
    with running_exporter(base_environment()) as exporter:
        exporter.wait_for_checks()
        samples = exporter.samples()
        counted = requests_by(exporter)
        assert counted[(PING, "200")] >= 1
        assert counted[(INSTANCES, "200")] >= 1
        assert {code for _, code in counted} == {"200"}
        for endpoint in (PING, INSTANCES):
            series = [
                s
                for s in samples
                if s.name.startswith("awx_api_request_duration_seconds")
                and s.labels["endpoint"] == endpoint
            ]
            buckets = {s.labels["le"]: s.value for s in series if s.name.endswith("_bucket")}
            assert list(buckets) == [*(repr(b) for b in BUCKETS), "+Inf"]
            assert list(buckets.values()) == sorted(buckets.values())
            (count,) = [s.value for s in series if s.name.endswith("_count")]
            (total,) = [s.value for s in series if s.name.endswith("_sum")]
            assert buckets["+Inf"] == count >= 1
            assert total > 0
            assert set(series[0].labels) == {"name", "namespace", "endpoint", "le"}


def test_a_rejected_token_is_counted_with_its_status(base_environment: Environment) -> None:
    with running_exporter(base_environment(AWX_TOKEN="revoked")) as exporter:
        exporter.wait_for_checks()
        counted = requests_by(exporter)
        assert counted[(INSTANCES, "401")] >= 1
        assert counted[(PING, "200")] >= 1


def test_an_unreachable_api_is_counted_as_no_response(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.server.stop()
    with running_exporter(base_environment()) as exporter:
        exporter.wait_for_checks()
        counted = requests_by(exporter)
        assert counted[(PING, NO_RESPONSE)] >= 1
        assert (PING, "200") not in counted


def test_durations_fall_into_the_bucket_whose_bound_they_do_not_exceed() -> None:
    metrics = ApiRequestMetrics(buckets=(0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 1.0, 3.0):
        metrics.observe(PING, "200", seconds)
    requests, durations = metrics.collect(["awx", "awx"])
    assert [s.value for s in requests.samples] == [5]
    by_name = {(s.name, s.labels.get("le")): s.value for s in durations.samples}
    assert by_name[("awx_api_request_duration_seconds_bucket", "0.1")] == 2
    assert by_name[("awx_api_request_duration_seconds_bucket", "1.0")] == 4
    assert by_name[("awx_api_request_duration_seconds_bucket", "+Inf")] == 5
    assert by_name[("awx_api_request_duration_seconds_count", None)] == 5
    assert by_name[("awx_api_request_duration_seconds_sum", None)] == pytest.approx(4.65)
