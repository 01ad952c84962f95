"""The local control plane itself (scripts/cluster): what `make cluster` promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from scripts.cluster import control, objects
from tests.engine import ROOT
from tests.services.cluster import ensure_namespace, eventually, suffix


def cluster_command(directory: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.cluster", command],
        cwd=ROOT,
        env={**os.environ, "AWX_CLUSTER_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_start_reuses_a_running_cluster_and_stop_ends_it_by_pid(tmp_path: Path) -> None:
    # A cluster of its own (AWX_CLUSTER_DIR), so stopping it leaves the shared one running.
    directory = tmp_path / "cluster"
    first = cluster_command(directory, "start")
    try:
        assert first.returncode == 0, first.stderr
        pids = json.loads((directory / "state.json").read_text())["pids"]
        assert set(pids) == {"etcd", "kube-apiserver", "kube-controller-manager",
                             "kube-scheduler", "kwok"}  # fmt: skip
        assert (directory / "kubeconfig").stat().st_mode & 0o077 == 0
        second = cluster_command(directory, "start")
        assert second.returncode == 0, second.stderr
        assert json.loads((directory / "state.json").read_text())["pids"] == pids
    finally:
        stopped = cluster_command(directory, "stop")
    assert stopped.returncode == 0, stopped.stderr
    for name, pid in pids.items():
        assert control.process_state(pid) in (None, "Z"), f"{name} still runs"
    assert "not ready" in cluster_command(directory, "status").stdout


def test_every_component_listens_on_loopback_only(kubeconfig: Path) -> None:
    state = json.loads((kubeconfig.parent / "state.json").read_text())
    ports = set(state["ports"].values())
    listening = subprocess.run(["ss", "-Htlnp"], capture_output=True, text=True, check=True)
    ours = [line for line in listening.stdout.splitlines()
            if any(f"pid={pid}," in line for pid in state["pids"].values())]  # fmt: skip
    assert ours, listening.stdout
    for line in ours:
        local = line.split()[3]
        assert local.startswith("127.0.0.1:"), line
        assert int(local.rsplit(":", 1)[1]) in ports, line


def test_three_nodes_one_of_them_a_tainted_spot_node(kube: client.ApiClient) -> None:
    core: Any = client.CoreV1Api(kube)
    nodes = {n.metadata.name: n for n in core.list_node().items}
    assert set(nodes) >= set(objects.NODES)
    key, value = objects.SPOT_LABEL
    spot = [n for n in nodes.values() if n.metadata.labels.get(key) == value]
    assert [n.metadata.name for n in spot] == ["kwok-spot-0"]
    assert [(t.key, t.effect) for t in spot[0].spec.taints] == [(key, "NoSchedule")]
    for node in nodes.values():
        assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)


@pytest.mark.parametrize(
    ("group", "plural"),
    [
        ("monitoring.coreos.com", "servicemonitors"),
        ("monitoring.coreos.com", "podmonitors"),
        ("monitoring.coreos.com", "prometheusrules"),
        ("monitoring.coreos.com", "alertmanagerconfigs"),
        ("keda.sh", "scaledobjects"),
        ("keda.sh", "triggerauthentications"),
        ("awx.ansible.com", "awxs"),
    ],
)
def test_the_crds_are_established(kube: client.ApiClient, group: str, plural: str) -> None:
    extensions: Any = client.ApiextensionsV1Api(kube)
    crd = extensions.read_custom_resource_definition(f"{plural}.{group}")
    assert any(c.type == "Established" and c.status == "True" for c in crd.status.conditions)


def deployment(name: str, image: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "metadata": {"name": name},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
        },
    }


def test_pods_become_ready_unless_their_image_tag_ends_in_unready(
    kube: client.ApiClient,
) -> None:
    namespace = f"stages-{suffix()}"
    ensure_namespace(kube, namespace)
    apps: Any = client.AppsV1Api(kube)
    core: Any = client.CoreV1Api(kube)
    try:
        apps.create_namespaced_deployment(namespace, deployment("ready", "example.invalid/a:1.0"))
        apps.create_namespaced_deployment(
            namespace, deployment("unready", "example.invalid/a:1.0-unready")
        )

        def ready_replicas(name: str) -> int:
            return apps.read_namespaced_deployment(name, namespace).status.ready_replicas or 0

        eventually(lambda: ready_replicas("ready") == 2, "Deployment ready: 2/2 Ready", 60)

        def unready_pods_running() -> list[Any]:
            pods = core.list_namespaced_pod(namespace, label_selector="app=unready").items
            running = [p for p in pods if p.status.phase == "Running"]
            return running if len(running) == 2 else []

        pods = eventually(unready_pods_running, "the -unready pods Running", 60)
        for pod in pods:
            ready = {c.type: c.status for c in pod.status.conditions}["Ready"]
            assert ready == "False", pod.metadata.name
        assert ready_replicas("unready") == 0
    finally:
        core.delete_namespace(namespace)
