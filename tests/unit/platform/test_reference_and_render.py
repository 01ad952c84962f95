"""The generated config reference is current and complete; the render writes safe manifests."""

import subprocess
import sys
from pathlib import Path

import yaml

from scripts.reference_docs import keys
from tests.harness import ROOT
from tests.unit.monitoring.support import stack_dashboards


def test_config_reference_files_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "reference_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_config_key_is_described() -> None:
    undescribed = [key.path for key in keys() if not key.description]
    assert undescribed == []
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert "`awx-platform:autoscaling.max_task_replicas` | integer | `10` |" in documented


def local_dashboard_files() -> list[str]:
    return [
        f"configmap-monitoring-awx-dashboard-{file_name.removesuffix('.json')}.yaml"
        for file_name in stack_dashboards("local")
    ]


def render(*arguments: str) -> subprocess.CompletedProcess[str]:
    script = str(ROOT / "scripts" / "render_mocks.py")
    return subprocess.run(
        [sys.executable, script, *arguments], capture_output=True, text=True, check=False
    )


def test_render_writes_every_object_with_secrets_redacted(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = render("--stack", "local", "--out", str(out))
    assert result.returncode == 0, result.stderr
    # One ConfigMap per dashboard that components/monitoring/dashboards returns.
    dashboard_files = local_dashboard_files()
    count = len(dashboard_files)
    assert f"stack local: {59 + count} resources, {51 + count} manifests" in result.stdout
    assert "admin_password: [secret]" in result.stdout
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        [
            "awx-awx-awx.yaml",
            "cronjob-awx-awx-backup.yaml",
            "cronjob-awx-awx-restore-drill.yaml",
            "deployment-awx-awx-exporter.yaml",
            "deployment-awx-awx-fork-enforcer.yaml",
            "deployment-awx-awx-postgres-exporter.yaml",
            "deployment-monitoring-awx-pushgateway.yaml",
            "horizontalpodautoscaler-awx-awx-task.yaml",
            "limitrange-awx-jobs-awx-jobs.yaml",
            "namespace-awx-jobs.yaml",
            "namespace-awx.yaml",
            "networkpolicy-awx-awx-allow-backup-egress.yaml",
            "networkpolicy-awx-awx-allow-dns.yaml",
            "networkpolicy-awx-awx-allow-kubernetes-api.yaml",
            "networkpolicy-awx-awx-allow-operator-kubernetes-api.yaml",
            "networkpolicy-awx-awx-allow-postgres-egress.yaml",
            "networkpolicy-awx-awx-allow-postgres.yaml",
            "networkpolicy-awx-awx-allow-prometheus.yaml",
            "networkpolicy-awx-awx-allow-task-egress.yaml",
            "networkpolicy-awx-awx-allow-web-egress.yaml",
            "networkpolicy-awx-awx-allow-web-ingress.yaml",
            "networkpolicy-awx-awx-default-deny.yaml",
            "persistentvolumeclaim-awx-awx-backups.yaml",
            "poddisruptionbudget-awx-awx-task.yaml",
            "poddisruptionbudget-awx-awx-web.yaml",
            "prometheusrule-awx-awx-rules.yaml",
            "resourcequota-awx-jobs-awx-jobs.yaml",
            "role-awx-awx-backup-events.yaml",
            "role-awx-awx-exporter.yaml",
            "role-awx-awx-fork-enforcer-events.yaml",
            "role-awx-jobs-awx-job-pods.yaml",
            "rolebinding-awx-awx-backup-events.yaml",
            "rolebinding-awx-awx-exporter.yaml",
            "rolebinding-awx-awx-fork-enforcer-events.yaml",
            "rolebinding-awx-jobs-awx-job-pods.yaml",
            "secret-awx-awx-admin-password.yaml",
            "secret-awx-awx-secret-key.yaml",
            "service-awx-awx-exporter.yaml",
            "service-awx-awx-fork-enforcer.yaml",
            "service-awx-awx-postgres-exporter.yaml",
            "service-monitoring-awx-pushgateway.yaml",
            "serviceaccount-awx-awx-backup.yaml",
            "serviceaccount-awx-awx-exporter.yaml",
            "serviceaccount-awx-awx-fork-enforcer.yaml",
            "serviceaccount-awx-awx-postgres-exporter.yaml",
            "serviceaccount-monitoring-awx-pushgateway.yaml",
            "servicemonitor-awx-awx-api.yaml",
            "servicemonitor-awx-awx-enforcer.yaml",
            "servicemonitor-awx-awx-exporter.yaml",
            "servicemonitor-awx-awx-postgres-exporter.yaml",
            "servicemonitor-monitoring-awx-pushgateway.yaml",
            *dashboard_files,
        ]
    )
    secret = yaml.safe_load((out / "secret-awx-awx-secret-key.yaml").read_text())
    assert secret["stringData"] == {"secret_key": "<redacted: Pulumi secret>"}
    awx = yaml.safe_load((out / "awx-awx-awx.yaml").read_text())
    assert awx["spec"]["web_replicas"] == 1
    assert isinstance(awx["spec"]["web_replicas"], int)
    everything = "".join(p.read_text() for p in out.iterdir())
    assert "mock-awx-platform" not in everything


def test_bad_stack_config_makes_render_fail_with_the_key_path(tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "Pulumi.local.yaml").read_text())
    document["config"]["awx-platform:autoscaling"]["max_task_replicas"] = 0
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text(yaml.safe_dump(document))
    result = render("--stack", "broken", "--stack-file", str(stack_file), "--out", str(tmp_path))
    assert result.returncode == 2
    assert (
        "awx-platform:autoscaling.max_task_replicas: Input should be greater than or equal to 1"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
