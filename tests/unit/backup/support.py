"""Shared look-ups for the backup tests: the jobs' pod specs and their environment."""

from typing import Any

from tests.harness import ProgramRun

CRON_JOB = "kubernetes:batch/v1:CronJob"
JOB = "kubernetes:batch/v1:Job"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
BACKUP = "awx-platform-backup-backup"
DRILL = "awx-platform-backup-restore-drill"
BACKUP_SERVICE_ACCOUNT = "awx-platform-backup-service-account"
RESTORE = "awx-platform-backup-restore"


def cron_pod(run: ProgramRun, name: str = BACKUP) -> dict[str, Any]:
    spec: dict[str, Any] = run.one(CRON_JOB, name).plain["spec"]
    return spec["jobTemplate"]["spec"]["template"]["spec"]


def container(pod: dict[str, Any]) -> dict[str, Any]:
    (main,) = pod["containers"]
    return main


RECORDER_ENV = {"POD_NAME", "AWX_RUNTIME_JOB_NAME", "AWX_RUNTIME_JOB_UID"}
"""The downward-API variables every runtime pod gets for its Events (components/events_rbac.py);
test_backup_jobs.py checks them once, `env` leaves them out."""


def env(pod: dict[str, Any]) -> dict[str, Any]:
    """Name -> value, or -> (secret, key) for variables taken from a Secret."""
    found: dict[str, Any] = {}
    for variable in container(pod)["env"]:
        if variable["name"] in RECORDER_ENV:
            continue
        reference = variable.get("valueFrom", {}).get("secretKeyRef")
        found[variable["name"]] = (
            (reference["name"], reference["key"]) if reference else variable["value"]
        )
    return found


def mounts(pod: dict[str, Any]) -> dict[str, str]:
    """Mount path -> what is mounted there (secret name, claim name or volume kind)."""
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    found = {}
    for mount in container(pod)["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "secret" in volume:
            found[mount["mountPath"]] = volume["secret"]["secretName"]
        elif "persistentVolumeClaim" in volume:
            found[mount["mountPath"]] = volume["persistentVolumeClaim"]["claimName"]
        else:
            found[mount["mountPath"]] = next(iter(set(volume) - {"name"}))
    return found


def service_account(run: ProgramRun) -> dict[str, Any]:
    metadata: dict[str, Any] = run.one(SERVICE_ACCOUNT, BACKUP_SERVICE_ACCOUNT).plain["metadata"]
    return metadata
