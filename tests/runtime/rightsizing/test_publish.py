"""--publish: metrics on a real Pushgateway; the report ConfigMap and the Event on the fake
Kubernetes API (tests/fakes/kubernetes_api.py mirrors core/v1's shapes; the local control plane
is only built for the e2e tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fakes.kubernetes_api import FakeKubernetes
from tests.runtime.rightsizing.advisor_run import rightsize
from tests.services.postgres import free_port
from tests.services.pushgateway import Pushgateway, running_pushgateway


@pytest.fixture
def kubernetes() -> Iterator[FakeKubernetes]:
    fake = FakeKubernetes("awx")
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="module")
def pushgateway() -> Iterator[Pushgateway]:
    with running_pushgateway() as gateway:
        yield gateway


def test_publish_pushes_metrics_writes_the_report_and_an_event(
    prometheus_url: str, kubernetes: FakeKubernetes, pushgateway: Pushgateway
) -> None:
    arguments = (
        "--publish",
        "--pushgateway-url",
        pushgateway.url,
        "--kube-api-url",
        kubernetes.url,
    )
    run = rightsize(prometheus_url, *arguments)
    assert run.status == 0, run.stderr
    items = run.recommendations
    web = next(i for i in items if i["field"] == "awx.resources.web.requests.cpu")
    value = pushgateway.value(
        "awx-rightsizing",
        "awx_rightsizing_recommendation",
        field="awx.resources.web.requests.cpu",
        blocked_by="none",
        risk=web["risk"],
        name="awx",
        namespace="awx",
    )
    assert value == pytest.approx(0.125)  # cores, as recommended
    postgres = pushgateway.value(
        "awx-rightsizing",
        "awx_rightsizing_recommendation",
        component="postgres",
        blocked_by="protected",
    )
    assert postgres is not None
    saved = sum(i["monthly_savings"] for i in items if i["blocked_by"] is None)
    pushed = pushgateway.value("awx-rightsizing", "awx_rightsizing_potential_monthly_savings")
    assert pushed == pytest.approx(saved, abs=0.05)
    report = kubernetes.configmaps["awx-rightsizing-report"]
    assert report["data"]["report.md"].startswith("## Right-sizing recommendations")
    assert json.loads(report["data"]["recommendations.json"])["recommendations"] == items
    (event,) = kubernetes.events
    assert event["reason"] == "RightsizingRecommendations"
    assert event["involvedObject"] == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "awx-rightsizing-report",
        "namespace": "awx",
    }
    passing = len([i for i in items if i["blocked_by"] is None])
    assert (
        f"{len(items)} right-sizing recommendations, {passing} pass every gate" in event["message"]
    )
    # The next run replaces the report and adds an Event.
    again = rightsize(prometheus_url, *arguments, "--max-risk", "low")
    assert again.status == 0
    assert kubernetes.configmap_writes == [
        ("POST", "awx-rightsizing-report"),
        ("PUT", "awx-rightsizing-report"),
    ]
    assert len(kubernetes.events) == 2


def test_publish_failures_exit_1_naming_what_failed(
    prometheus_url: str, kubernetes: FakeKubernetes
) -> None:
    gone = f"http://127.0.0.1:{free_port()}"
    run = rightsize(
        prometheus_url, "--publish", "--pushgateway-url", gone, "--kube-api-url", kubernetes.url
    )
    assert run.status == 1
    assert f"could not push metrics to the Pushgateway at {gone}" in run.stderr
    kubernetes.forbidden = True
    run = rightsize(prometheus_url, "--publish", "--kube-api-url", kubernetes.url)
    assert run.status == 1
    assert "could not publish the report to ConfigMap awx/awx-rightsizing-report" in run.stderr
    assert "403" in run.stderr
