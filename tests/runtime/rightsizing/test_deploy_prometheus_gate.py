"""The guarded deploy's Prometheus gate (deploy/gates/prometheus.py) against a real Prometheus
(the right-sizing tests' server over their backfilled history): empty results pass, any
series fails naming it, a Prometheus that cannot answer fails."""

from __future__ import annotations

from deploy.gates.prometheus import PrometheusGate
from tests.runtime.rightsizing.history import END
from tests.services.postgres import free_port

FIRING = 'ALERTS{alertstate="firing", severity="critical"}'


def test_empty_queries_pass(prometheus_url: str) -> None:
    result = PrometheusGate(prometheus_url, [FIRING]).check()
    assert result.status == "pass", result


def test_a_query_with_series_fails_naming_them(prometheus_url: str) -> None:
    # The history ended at END; `@` evaluates there, where the OOM-killed redis restarted.
    query = f"kube_pod_container_status_restarts_total @ {END} > 0"
    result = PrometheusGate(prometheus_url, [FIRING, query]).check()
    assert result.status == "fail"
    assert f"{query} returned" in result.detail
    assert "container=" in result.detail


def test_a_prometheus_that_cannot_answer_fails() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = PrometheusGate(url, [FIRING]).check()
    assert result.status == "fail"
    assert url in result.detail
