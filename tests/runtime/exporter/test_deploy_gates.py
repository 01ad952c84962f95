"""The guarded deploy's endpoint gates (deploy/gates/endpoints.py) asking what they ask in a
deploy: the real exporter process's /health, and AWX's /api/v2/ping/ as the exporter's fake
AWX serves it (no AWX runs here; tests/fakes/awx_status.py mirrors AWX 24's ping document)."""

from __future__ import annotations

from collections.abc import Callable

from deploy.gates.endpoints import AwxPingGate, ExporterHealthGate
from tests.fakes.awx_status import FakeAwx, FakeInstance
from tests.runtime.exporter.process import running_exporter
from tests.services.postgres import free_port

Environment = Callable[..., dict[str, str]]


def test_the_exporter_gate_passes_a_healthy_exporter_and_fails_an_unhealthy_one(
    base_environment: Environment,
) -> None:
    with running_exporter(base_environment()) as exporter:
        exporter.wait_for_checks()
        result = ExporterHealthGate(exporter.url, required=True).check()
        assert result.status == "pass", result
    # Its database unreachable: /health answers 503 Unhealthy, the gate names the component.
    with running_exporter(base_environment(PGPORT=str(free_port()))) as exporter:
        exporter.wait_for_component("database", "Unhealthy")
        result = ExporterHealthGate(exporter.url, required=True).check()
        assert result.status == "fail"
        assert "HTTP 503" in result.detail
        assert "database" in result.detail


def test_an_unreachable_exporter_is_skipped_unless_required() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert ExporterHealthGate(url, required=False).check().status == "skipped"
    required = ExporterHealthGate(url, required=True).check()
    assert required.status == "fail"
    assert "not reachable" in required.detail


def test_the_awx_gate_reads_the_ping_document() -> None:
    awx = FakeAwx()
    awx.server.start()
    try:
        assert AwxPingGate(awx.url, required=True).check().status == "pass"
        # No control instance with capacity left: AWX cannot run anything.
        awx.instances = [FakeInstance("awx-task-a", 0), FakeInstance("awx-task-b", 0)]
        result = AwxPingGate(awx.url, required=True).check()
        assert result.status == "fail"
        assert "no control or hybrid instance reports capacity" in result.detail
    finally:
        awx.server.stop()
    assert AwxPingGate(awx.url, required=False).check().status == "skipped"
