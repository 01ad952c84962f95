"""Inhibition on a real Alertmanager (Debian prometheus-alertmanager) running our configuration.

amtool cannot evaluate inhibit rules, so the generated file is loaded into a running
Alertmanager and alerts are posted to its API; its alert status says what is inhibited.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.monitoring.alertmanager import Destinations, render
from components.settings.monitoring import AlertingSettings
from tests.runtime.exporter.process import eventually
from tests.services.postgres import free_port

BINARY = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    config = tmp_path / "alertmanager.yaml"
    # No destinations: nothing leaves the machine; inhibition does not depend on receivers.
    config.write_text(render(AlertingSettings(), Destinations(None, None)))
    port = free_port()
    process = subprocess.Popen(
        [
            BINARY,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _get(url + "/-/ready") or None)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def _post_alerts(url: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        url + "/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def _alert(severity: str, namespace: str) -> dict[str, Any]:
    return {
        "labels": {"alertname": "AWXWebDown", "namespace": namespace, "severity": severity},
        "annotations": {"summary": "test"},
    }


def test_critical_inhibits_the_warning_of_the_same_alert_and_namespace(alertmanager: str) -> None:
    _post_alerts(
        alertmanager,
        [_alert("critical", "awx"), _alert("warning", "awx"), _alert("warning", "awx-staging")],
    )

    def statuses() -> dict[tuple[str, str], dict[str, Any]] | None:
        alerts = json.loads(_get(alertmanager + "/api/v2/alerts"))
        found = {(a["labels"]["severity"], a["labels"]["namespace"]): a["status"] for a in alerts}
        return found if len(found) == 3 else None

    found = eventually(statuses)
    assert found[("critical", "awx")]["state"] == "active"
    assert found[("warning", "awx")]["state"] == "suppressed"
    assert found[("warning", "awx")]["inhibitedBy"]
    assert found[("warning", "awx-staging")]["state"] == "active"
