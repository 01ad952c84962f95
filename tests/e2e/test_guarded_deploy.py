"""Guarded deploys (`python -m deploy`, docs/deploy.md) on the local control plane.

One throwaway git repository holds a copy of the project (every tracked file) and one stack
with its own file backend and namespaces; each test commits a change and runs the deploy as
`make deploy` does, as a process. The tests share that stack and run in file order, each
starting from the state the previous one left (the order is the story: no last good deploy,
a healthy deploy, an unhealthy image, an `up` that errors, a rollback that would replace a
protected secret). The stack awaits rollouts in the gates (deploy.rollouts_awaited_by: gates),
so an image whose pods never become Ready (kwok's `-unready` tag) fails the Deployment gate
instead of holding `up` for the provider's ten minutes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.engine import ROOT, EngineProject, Namespaces
from tests.services.cluster import ensure_namespace, suffix
from tests.services.pushgateway import Pushgateway, running_pushgateway

TAG = "awx-platform:last-good-commit"
IMAGE = "ghcr.io/awx-platform/awx-runtime"
RUNTIME_DEPLOYMENTS = ("awx-exporter", "awx-fork-enforcer")
"""The Deployments that run the awx-runtime image (the others run upstream exporters)."""
HEALTH_TIMEOUT = "40"
"""DEPLOY_HEALTH_TIMEOUT for these tests: kwok makes pods Ready within seconds."""


@dataclass
class Deploy:
    """One `python -m deploy` run: exit status, the JSON summary, and the log."""

    returncode: int
    summary: dict[str, Any]
    log: str
    seconds: float


@dataclass
class Repository:
    project: EngineProject
    namespaces: Namespaces
    pushgateway: Pushgateway
    commits: dict[str, str]

    @property
    def directory(self) -> Path:
        return self.project.directory

    def git(self, *arguments: str) -> str:
        return git(self.directory, *arguments)

    def commit(self, name: str, **changes: str) -> str:
        """Set each `section.key` (dots for nesting) in the stack file, commit, return the sha."""
        for path, value in changes.items():
            self.project.set_config(path, value)
        self.git("commit", "-q", "--allow-empty", "-am", name)
        self.commits[name] = self.git("rev-parse", "HEAD")
        return self.commits[name]

    def reset_to(self, name: str) -> None:
        """Check out the stack file of an earlier commit as a new commit (history stays)."""
        self.git("checkout", self.commits[name], "--", "Pulumi.local.yaml")

    def deploy(self) -> Deploy:
        env = {**self.project.env, "DEPLOY_HEALTH_TIMEOUT": HEALTH_TIMEOUT,
               "PUSHGATEWAY_URL": self.pushgateway.url}  # fmt: skip
        env.pop("GITHUB_STEP_SUMMARY", None)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "deploy", "--stack", "local"],
            cwd=self.directory, env=env, capture_output=True, text=True, check=False,
            timeout=900,
        )  # fmt: skip
        seconds = time.monotonic() - started
        print(f"deploy: exit {result.returncode} in {seconds:.0f} s")  # the figures for the report
        try:
            summary = json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"no JSON summary on stdout:\n{result.stdout}\n{result.stderr}")
        return Deploy(result.returncode, summary, result.stderr, seconds)

    def tags(self) -> dict[str, str]:
        output = self.project.pulumi("stack", "tag", "ls", "--json").stdout
        return {key: str(value) for key, value in json.loads(output).items()}


def git(directory: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=directory, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def pushgateway() -> Iterator[Pushgateway]:
    with running_pushgateway() as server:
        yield server


@pytest.fixture(scope="module")
def repo(
    tmp_path_factory: pytest.TempPathFactory,
    kubeconfig: Path,
    kube: client.ApiClient,
    pushgateway: Pushgateway,
) -> Iterator[Repository]:
    directory = tmp_path_factory.mktemp("guarded") / "project"
    for name in tracked_files():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git(directory, "init", "-q", "-b", "main")
    # The stack's file backend lives in the copy, never in its history.
    (directory / ".git" / "info" / "exclude").write_text(".state/\nstate.json\n")
    git(directory, "config", "user.email", "tests@awx-platform.invalid")
    git(directory, "config", "user.name", "guarded deploy tests")
    (directory / ".state").mkdir()
    project = EngineProject(directory)
    project.pulumi("stack", "select", "--create", "local")
    namespaces = project.target_cluster(kubeconfig, suffix())
    ensure_namespace(kube, namespaces.monitoring)
    project.set_config("deploy.rollouts_awaited_by", "gates")
    project.set_config("deploy.health.window", "3")
    project.set_config("deploy.health.interval", "2")
    repository = Repository(project, namespaces, pushgateway, {})
    repository.git("add", "-A")
    repository.commit("healthy")
    try:
        yield repository
    finally:
        project.pulumi("state", "unprotect", "--all", "--yes", check=False)
        project.pulumi("destroy", "--yes", check=False)
        core: Any = client.CoreV1Api(kube)
        core.delete_namespace(namespaces.monitoring)


def deployments(kube: client.ApiClient, namespace: str) -> dict[str, Any]:
    apps: Any = client.AppsV1Api(kube)
    return {d.metadata.name: d for d in apps.list_namespaced_deployment(namespace).items}


def runtime_images(kube: client.ApiClient, namespace: str) -> dict[str, str]:
    found = deployments(kube, namespace)
    return {
        name: found[name].spec.template.spec.containers[0].image for name in RUNTIME_DEPLOYMENTS
    }


def running_images(kube: client.ApiClient, namespace: str) -> set[str]:
    core: Any = client.CoreV1Api(kube)
    pods = core.list_namespaced_pod(namespace).items
    return {
        container.image
        for pod in pods
        if pod.metadata.deletion_timestamp is None and pod.status.phase == "Running"
        for container in pod.spec.containers
        if container.image.startswith(IMAGE)
    }


def awx_events(kube: client.ApiClient, namespace: str) -> dict[str, dict[str, Any]]:
    """events.k8s.io/v1 Events about an AWX resource, by reason (raw JSON: the client's models
    refuse the controllers' Events, which have no eventTime)."""
    events: Any = client.EventsV1Api(kube)
    listed = json.loads(events.list_namespaced_event(namespace, _preload_content=False).data)
    return {
        e["reason"]: e for e in listed["items"] if (e.get("regarding") or {}).get("kind") == "AWX"
    }


def gate(summary: dict[str, Any], name: str) -> dict[str, str]:
    return next(g for g in summary["gates"] if g["gate"] == name)


def test_without_a_last_good_deploy_a_failed_deploy_stops(repo: Repository) -> None:
    # The very first deploy of the stack fails (its monitoring namespace does not exist, so
    # the API server refuses the objects that go there): there is nothing to roll back to.
    repo.commit("missing namespace", **{"monitoring.namespace": f"absent-{suffix()}"})
    result = repo.deploy()
    summary = result.summary
    assert result.returncode == 3, result.log
    assert summary["status"] == "failed" and summary["outcome"] == "not-rolled-back"
    assert summary["failure"]["stage"] == "up"
    assert "not found" in summary["failure"]["detail"]
    assert summary["rollback"]["status"] == "none" and summary["rollback"]["to_commit"] is None
    assert "no last good deploy" in summary["rollback"]["detail"]
    assert summary["last_good"] == {"before": None, "recorded": None}
    assert TAG not in repo.tags()
    # Nothing more was changed: what the failed `up` created is still there, unmanaged by
    # any rollback (the report says the stack is as the failed deploy left it).
    assert any(r["type"] == "kubernetes:core/v1:Namespace" for r in repo.project.export()
               ["deployment"].get("resources") or [])  # fmt: skip


def test_a_healthy_deploy_records_its_commit(repo: Repository, kube: client.ApiClient) -> None:
    repo.reset_to("healthy")
    commit = repo.commit("healthy again")
    result = repo.deploy()
    summary = result.summary
    assert result.returncode == 0, result.log
    assert summary["status"] == "succeeded" and summary["commit"] == commit
    assert summary["last_good"] == {"before": None, "recorded": commit}
    assert summary["failure"] is None and summary["rollback"] is None
    assert gate(summary, "deployments")["status"] == "pass"
    assert gate(summary, "policy")["status"] == "pass"
    assert gate(summary, "awx_ping")["status"] == "skipped"
    assert set(summary["durations"]) == {"up", "gates", "total"}
    assert repo.tags()[TAG] == commit
    for name in RUNTIME_DEPLOYMENTS:
        assert name in gate(summary, "deployments")["detail"]
    assert runtime_images(kube, repo.namespaces.awx) == dict.fromkeys(
        RUNTIME_DEPLOYMENTS, f"{IMAGE}:0.1.0"
    )
    # The tag lives in the backend, next to the state: a fresh clone of the repository sees it.
    clone = repo.directory.parent / "fresh-clone"
    subprocess.run(["git", "clone", "-q", str(repo.directory), str(clone)], check=True)
    read = repo.project.pulumi("stack", "tag", "get", TAG, cwd=clone)  # the same backend
    assert read.stdout.strip() == commit
    assert repo.pushgateway.value("awx-deploy", "awx_deploy_total", stack="local",
                                  status="success") == 1  # fmt: skip
    event = awx_events(kube, repo.namespaces.awx)["DeploySucceeded"]
    assert event["action"] == "Deploy" and event["type"] == "Normal"
    assert event["reportingController"] == "awx-platform/awx-deploy"
    assert event["regarding"]["name"] == "awx" and commit[:12] in event["note"]


def test_an_unready_image_fails_the_gate_and_is_rolled_back(
    repo: Repository, kube: client.ApiClient
) -> None:
    good = repo.commits["healthy again"]
    repo.commit("unready runtime image", **{"runtime.image_tag": "0.1.0-unready"})
    result = repo.deploy()
    summary = result.summary
    assert result.returncode == 1, result.log
    assert summary["outcome"] == "rolled-back"
    assert summary["failure"]["stage"] == "gates"
    deployments_gate = gate(summary, "deployments")
    assert deployments_gate["status"] == "fail"
    for name in RUNTIME_DEPLOYMENTS:
        assert f"{repo.namespaces.awx}/{name}: rollout" in deployments_gate["detail"]
    rollback = summary["rollback"]
    assert rollback["to_commit"] == good and rollback["status"] == "succeeded"
    assert rollback["blocked_by"] == []
    assert {g["gate"]: g["status"] for g in rollback["gates"]}["deployments"] == "pass"
    # The cluster runs the previous image again, and the last good commit is unchanged.
    assert runtime_images(kube, repo.namespaces.awx) == dict.fromkeys(
        RUNTIME_DEPLOYMENTS, f"{IMAGE}:0.1.0"
    )
    assert running_images(kube, repo.namespaces.awx) == {f"{IMAGE}:0.1.0"}
    assert repo.tags()[TAG] == good
    # Counted on top of the first test's failure; the first rollback that happened.
    assert repo.pushgateway.value("awx-deploy", "awx_deploy_total", stack="local",
                                  status="failure") == 2  # fmt: skip
    assert repo.pushgateway.value("awx-deploy", "awx_rollback_total", stack="local",
                                  status="success") == 1  # fmt: skip
    events = awx_events(kube, repo.namespaces.awx)
    assert events["DeployFailed"]["type"] == "Warning"
    assert events["RollbackSucceeded"]["action"] == "Rollback"
    assert good[:12] in events["RollbackSucceeded"]["note"]
    # No temporary worktree is left behind.
    assert repo.git("worktree", "list").count("\n") == 0


def test_an_up_that_errors_is_rolled_back(repo: Repository, kube: client.ApiClient) -> None:
    good = repo.commits["healthy again"]
    repo.reset_to("healthy again")
    repo.commit("missing namespace again", **{"monitoring.namespace": f"absent-{suffix()}"})
    result = repo.deploy()
    summary = result.summary
    assert result.returncode == 1, result.log
    assert summary["failure"]["stage"] == "up" and summary["gates"] == []
    assert summary["rollback"]["to_commit"] == good
    assert summary["rollback"]["status"] == "succeeded"
    # The objects of the monitoring namespace are where the last good commit put them.
    pushgateway = deployments(kube, repo.namespaces.monitoring)["awx-pushgateway"]
    assert pushgateway.status.available_replicas == 1
    assert repo.tags()[TAG] == good


def test_a_rollback_that_would_replace_a_protected_resource_aborts(
    repo: Repository, kube: client.ApiClient
) -> None:
    # A commit that protects AWX's data, rotates its secret key (the provider replaces a
    # Secret whose data changes) and breaks the runtime image. Rolling back would replace the
    # now protected secret key again, which would make every credential in the database
    # unreadable: the rollback stops, names it and changes nothing.
    repo.reset_to("healthy again")
    repo.project.pulumi(
        "config", "set", "--secret", "--path", "secrets.secret_key", "rotated-" + "k" * 48
    )
    repo.commit(
        "protected, secret key rotated, unready image",
        **{"awx.protect": "true", "runtime.image_tag": "0.1.0-unready"},
    )
    result = repo.deploy()
    summary = result.summary
    assert result.returncode == 3, result.log
    assert summary["failure"]["stage"] == "gates"
    rollback = summary["rollback"]
    assert rollback["status"] == "aborted"
    secret_key = "$kubernetes:core/v1:Secret::awx-platform-awx-secret-key"
    assert [urn for urn in rollback["blocked_by"] if urn.endswith(secret_key)] == [
        urn for urn in rollback["blocked_by"] if "Secret" in urn
    ]
    assert any(urn.endswith(secret_key) for urn in rollback["blocked_by"])
    assert "(protected, replace)" in rollback["detail"]
    assert rollback["gates"] == []
    # Nothing was rolled back: the broken image is still what the Deployments ask for.
    assert runtime_images(kube, repo.namespaces.awx) == dict.fromkeys(
        RUNTIME_DEPLOYMENTS, f"{IMAGE}:0.1.0-unready"
    )
    assert repo.tags()[TAG] == repo.commits["healthy again"]
    assert repo.pushgateway.value("awx-deploy", "awx_rollback_total", stack="local",
                                  status="failure") == 1  # fmt: skip
    assert awx_events(kube, repo.namespaces.awx)["RollbackFailed"]["type"] == "Warning"
    assert repo.git("worktree", "list").count("\n") == 0
