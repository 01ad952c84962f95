"""Secrets reach the pods as mounted files wherever the program reading them takes a file:
no container of ours carries a password or token in its environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.pods import SECRET_FILES_DIR
from tests.harness import run_changed, run_program

ENV_ONLY = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
"""Static S3-compatible keys (MinIO and the like): boto3 takes them from the environment or an
INI credentials file the Secret's keys are not; docs/backups.md says why they stay variables."""


def pod_specs(manifests: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for manifest in manifests:
        spec = manifest.get("spec") or {}
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get(
            "template"
        )
        if template:
            yield f"{manifest['kind']}/{manifest['metadata']['name']}", template["spec"]


def secret_variables(manifests: list[dict[str, Any]]) -> list[str]:
    found = []
    for name, pod in pod_specs(manifests):
        for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
            for variable in container.get("env") or []:
                reference = (variable.get("valueFrom") or {}).get("secretKeyRef")
                sensitive = reference and reference["key"] in ("password", "token", "secret_key")
                if sensitive and variable["name"] not in ENV_ONLY:
                    found.append(f"{name} {container['name']} {variable['name']}")
    return found


@pytest.mark.parametrize("stack", ["local", "dev", "prod-aws"])
def test_no_container_holds_a_password_or_token_in_its_environment(stack: str) -> None:
    manifests = run_program(stack).manifests()
    assert list(pod_specs(manifests))
    assert secret_variables(manifests) == []


def test_the_password_files_are_mounted_where_the_variables_point() -> None:
    run = run_changed(
        "dev",
        {
            "autoscaling.enforcer.token_secret": "awx-enforcer-token",
            "monitoring.exporters.awx_token_secret": "awx-metrics-token",
        },
    )
    checked = set()
    for name, pod in pod_specs(run.manifests()):
        volumes = {volume["name"]: volume for volume in pod.get("volumes") or []}
        for container in pod["containers"]:
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
            for variable in container.get("env") or []:
                if not str(variable.get("value", "")).startswith(SECRET_FILES_DIR):
                    continue
                directory, _, key = variable["value"].rpartition("/")
                assert directory in mounts, f"{name}: {variable['name']} points at no mount"
                volume = volumes[mounts[directory]]
                assert volume["secret"]["items"] == [{"key": key, "path": key}], name
                assert volume["secret"]["defaultMode"] == 0o440, name
                checked.add(f"{name} {variable['name']}")
    assert checked == {
        "CronJob/awx-backup PGPASSWORD_FILE",
        "Deployment/awx-exporter PGPASSWORD_FILE",
        "Deployment/awx-exporter AWX_TOKEN_FILE",
        "Deployment/awx-postgres-exporter DATA_SOURCE_PASS_FILE",
        "Deployment/awx-fork-enforcer AWX_TOKEN_FILE",
    }
