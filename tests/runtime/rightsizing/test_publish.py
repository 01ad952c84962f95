"""--publish: metrics on a real Pushgateway; the report ConfigMap and the Event on the local
control plane's API server, written with a token issued for a ServiceAccount that holds
exactly the advisor CronJob's Role (components/rightsizing/advisor_job.py), so the real
authorizer judges every write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from components.rightsizing.advisor_job import role_rules
from tests.runtime.rightsizing.advisor_run import rightsize
from tests.runtime.rightsizing.history import NAMESPACE
from tests.services.cluster import AccountConnection, account_with_role, eventually, suffix
from tests.services.postgres import free_port
from tests.services.pushgateway import Pushgateway, running_pushgateway

REPORT = "awx-rightsizing-report"
CONTROLLER = "awx-platform/awx-runtime"


@pytest.fixture(scope="module")
def pushgateway() -> Iterator[Pushgateway]:
    with running_pushgateway() as gateway:
        yield gateway


@pytest.fixture
def awx_namespace(kube: client.ApiClient) -> Iterator[str]:
    """The namespace of the test history's AWX (`awx`): made if missing and then removed;
    one that existed keeps everything but what this test wrote."""
    core: Any = client.CoreV1Api(kube)
    try:
        core.create_namespace({"metadata": {"name": NAMESPACE}})
        created = True
    except ApiException as error:
        if error.status != 409:
            raise
        created = False
    yield NAMESPACE
    if created:
        core.delete_namespace(NAMESPACE)
        eventually(lambda: _gone(core), f"namespace {NAMESPACE} deleted")
        return
    try:
        core.delete_namespaced_config_map(REPORT, NAMESPACE)
    except ApiException as error:
        if error.status != 404:
            raise
    events: Any = client.EventsV1Api(kube)
    for event in our_events(kube):
        events.delete_namespaced_event(event["metadata"]["name"], NAMESPACE)


def _gone(core: Any) -> bool:
    try:
        core.read_namespace(NAMESPACE)
    except ApiException as error:
        return error.status == 404
    return False


def account(
    kube: client.ApiClient, kubeconfig: Path, directory: Path, rules: list[dict[str, Any]]
) -> AbstractContextManager[AccountConnection]:
    """A ServiceAccount in AWX's namespace bound to a Role with `rules`; its token."""
    name = f"{NAMESPACE}/rightsize-test-{suffix()}"
    return account_with_role(kube, kubeconfig, name, rules, directory)


@pytest.fixture
def advisor_account(
    kube: client.ApiClient, kubeconfig: Path, tmp_path: Path, awx_namespace: str
) -> Iterator[AccountConnection]:
    """The CronJob's account: exactly its Role."""
    with account(kube, kubeconfig, tmp_path, role_rules("awx")) as connection:
        yield connection


def flags(connection: AccountConnection) -> tuple[str, ...]:
    return (
        "--kube-api-url",
        connection.url,
        "--kube-token-file",
        str(connection.token_file),
        "--kube-ca-file",
        str(connection.ca_file),
    )


def our_events(kube: client.ApiClient) -> list[dict[str, Any]]:
    events: Any = client.EventsV1Api(kube)
    listed = json.loads(events.list_namespaced_event(NAMESPACE, _preload_content=False).data)
    return [
        item
        for item in listed["items"]
        if item.get("reportingController") == CONTROLLER and item["regarding"].get("name") == REPORT
    ]


def test_publish_pushes_metrics_writes_the_report_and_an_event(
    prometheus_url: str,
    kube: client.ApiClient,
    advisor_account: AccountConnection,
    pushgateway: Pushgateway,
) -> None:
    arguments = ("--publish", "--pushgateway-url", pushgateway.url, *flags(advisor_account))
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
    assert pushgateway.value("awx-rightsizing", "awx_runtime_events_failed") == 0
    core: Any = client.CoreV1Api(kube)
    report = core.read_namespaced_config_map(REPORT, NAMESPACE)
    assert report.data["report.md"].startswith("## Right-sizing recommendations")
    assert json.loads(report.data["recommendations.json"])["recommendations"] == items
    (event,) = our_events(kube)
    assert event["reason"] == "RightsizingRecommendations"
    assert event["action"] == "Publish"
    assert event["regarding"] == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": REPORT,
        "namespace": NAMESPACE,
    }
    passing = len([i for i in items if i["blocked_by"] is None])
    assert f"{len(items)} right-sizing recommendations, {passing} pass every gate" in event["note"]

    # The same run again: the report is replaced and the Event counts a second occurrence.
    assert rightsize(prometheus_url, *arguments).status == 0
    (event,) = our_events(kube)
    assert event["series"]["count"] == 2
    # A different outcome: the report replaced with it, and an Event of its own.
    again = rightsize(prometheus_url, *arguments, "--max-risk", "low")
    assert again.status == 0
    replaced = core.read_namespaced_config_map(REPORT, NAMESPACE)
    assert json.loads(replaced.data["recommendations.json"]) == json.loads(again.stdout)
    assert len(our_events(kube)) == 2


def test_publish_failures_exit_1_naming_what_failed(
    prometheus_url: str,
    kube: client.ApiClient,
    kubeconfig: Path,
    tmp_path: Path,
    advisor_account: AccountConnection,
) -> None:
    gone = f"http://127.0.0.1:{free_port()}"
    run = rightsize(prometheus_url, "--publish", "--pushgateway-url", gone, *flags(advisor_account))
    assert run.status == 1
    assert f"could not push metrics to the Pushgateway at {gone}" in run.stderr
    # An account with no Role at all: the real authorizer refuses the ConfigMap (403).
    with account(kube, kubeconfig, tmp_path / "nobody", []) as nobody:
        run = rightsize(prometheus_url, "--publish", *flags(nobody))
    assert run.status == 1
    assert f"could not publish the report to ConfigMap {NAMESPACE}/{REPORT}" in run.stderr
    assert "403" in run.stderr
