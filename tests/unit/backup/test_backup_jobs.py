"""The backup CronJob, restore Job and restore drill under mocks: schedule, limits, hardening,
and exactly the environment the runtime contract names."""

from typing import Any

from components.pods import container_security_context, pod_security_context
from tests.harness import (
    ProgramRun,
    run_changed,
)
from tests.unit.backup.support import (
    BACKUP,
    CRON_JOB,
    DRILL,
    JOB,
    container,
    cron_pod,
    env,
    mounts,
)

ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
RESTORE_SECRETS_ROLE = "awx-platform-backup-restore-secrets"
CONTRACT_VARIABLES = {
    "AWX_DEPLOYMENT_NAME", "AWX_NAMESPACE", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER",
    "PGPASSWORD_FILE", "PGSSLMODE", "BACKUP_STORAGE_TYPE", "BACKUP_PREFIX", "BACKUP_S3_BUCKET",
    "BACKUP_S3_REGION", "BACKUP_S3_ENDPOINT_URL", "BACKUP_S3_SSE", "BACKUP_S3_KMS_KEY_ARN",
    "BACKUP_AZURE_ACCOUNT_URL", "BACKUP_AZURE_CONTAINER", "BACKUP_GCS_BUCKET",
    "BACKUP_GCS_PROJECT", "BACKUP_PVC_PATH", "BACKUP_COMPRESSION", "BACKUP_ENCRYPTION",
    "BACKUP_AGE_RECIPIENTS", "BACKUP_AGE_IDENTITY_FILE", "BACKUP_AES_KEY_FILE",
    "BACKUP_KMS_KEY_ARN", "BACKUP_RETENTION_DAYS", "BACKUP_RETENTION_MAX_BACKUPS",
    "BACKUP_RETENTION_DAILY", "BACKUP_RETENTION_WEEKLY", "BACKUP_RETENTION_MONTHLY",
    "BACKUP_RETENTION_YEARLY", "BACKUP_RETENTION_MIN_BACKUPS", "BACKUP_SECRETS_DIR",
    "BACKUP_TARGET_DSN", "BACKUP_DRILL_TARGET_DSN", "PUSHGATEWAY_URL",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
}  # fmt: skip
PROD_RECIPIENTS = (
    "age1ck2dtprv0xcsd2a6ngytrkayled5uepsvl4y320kxstfuvqvg5es0p27n4,"
    "age1pnxe0pqfagsx7q3scne3pwstv4rq0ysrq5vnmwv2msx44uaz8qqq386utu"
)


def _run(stack: str, changes: dict[str, Any]) -> ProgramRun:
    return run_changed(stack, changes)


def _cron_spec(run: ProgramRun, name: str = BACKUP) -> dict[str, Any]:
    spec: dict[str, Any] = run.one(CRON_JOB, name).plain["spec"]
    return spec


def test_backup_cron_job_schedule_limits_and_deadlines(prod: ProgramRun) -> None:
    cron = prod.one(CRON_JOB, BACKUP).plain
    assert cron["metadata"]["name"] == "awx-backup"
    assert cron["metadata"]["namespace"] == "awx"
    assert cron["metadata"]["labels"]["app.kubernetes.io/component"] == "backup"
    spec = cron["spec"]
    assert {key: value for key, value in spec.items() if key != "jobTemplate"} == {
        "schedule": "0 2 * * *",
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 3600,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
    }
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 1
    assert job["activeDeadlineSeconds"] == 21600
    assert job["template"]["spec"]["restartPolicy"] == "Never"


def test_job_settings_come_from_config() -> None:
    run = _run(
        "local",
        {
            "backup.schedule": "15 3 * * *",
            "backup.job": {
                "starting_deadline_seconds": 600,
                "active_deadline_seconds": 7200,
                "backoff_limit": 3,
                "successful_jobs_history_limit": 1,
                "failed_jobs_history_limit": 5,
                "time_zone": "Europe/Berlin",
                "resources": {
                    "requests": {"cpu": "200m", "memory": "128Mi"},
                    "limits": {"memory": "512Mi"},
                },
            },
        },
    )
    spec = _cron_spec(run)
    assert spec["schedule"] == "15 3 * * *"
    assert spec["timeZone"] == "Europe/Berlin"
    assert spec["startingDeadlineSeconds"] == 600
    assert spec["successfulJobsHistoryLimit"] == 1
    assert spec["failedJobsHistoryLimit"] == 5
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 3
    assert spec["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 7200
    assert container(cron_pod(run))["resources"] == {
        "requests": {"cpu": "200m", "memory": "128Mi"},
        "limits": {"memory": "512Mi"},
    }


PROD_RUNTIME_DIGEST = "sha256:a61bb46acd9a426b3125d7c89e12ea18f06c9c907a387c1b431c33e20a1343c6"
PROD_POSTGRES_DIGEST = "sha256:e62fbf9d3e2b49816a32c400ed2dba83e3b361e6833e624024309c35d334b412"


def test_backup_pod_is_hardened_and_runs_the_runtime(prod: ProgramRun) -> None:
    pod = cron_pod(prod)
    assert pod["securityContext"] == pod_security_context()
    assert pod["serviceAccountName"] == "awx-backup"
    main = container(pod)
    assert main["securityContext"] == container_security_context()
    # prod-aws pins the image by digest (policy awx-prod-images-by-digest).
    assert main["image"] == f"ghcr.io/awx-platform/awx-runtime:0.1.0@{PROD_RUNTIME_DIGEST}"
    assert main["args"] == ["backup", "create", "--secrets-dir", "/var/run/awx-secrets"]
    assert main["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "2", "memory": "1Gi"},
    }


def test_backup_env_is_the_contract_from_config_and_the_postgres_secret(prod: ProgramRun) -> None:
    variables = env(cron_pod(prod))
    assert set(variables) <= CONTRACT_VARIABLES
    secret = "awx-postgres-configuration"
    assert variables == {
        "AWX_DEPLOYMENT_NAME": "awx",
        "AWX_NAMESPACE": "awx",
        "BACKUP_COMPRESSION": "zstd",
        "BACKUP_RETENTION_DAYS": "365",
        "BACKUP_RETENTION_MAX_BACKUPS": "400",
        "BACKUP_RETENTION_DAILY": "14",
        "BACKUP_RETENTION_WEEKLY": "8",
        "BACKUP_RETENTION_MONTHLY": "12",
        "BACKUP_RETENTION_YEARLY": "1",
        "BACKUP_RETENTION_MIN_BACKUPS": "3",
        "PUSHGATEWAY_URL": "http://awx-pushgateway.monitoring.svc:9091",
        "BACKUP_STORAGE_TYPE": "s3",
        "BACKUP_PREFIX": "awx/prod/",
        "BACKUP_S3_BUCKET": "example-awx-prod-backups",
        "BACKUP_S3_REGION": "eu-west-1",
        "BACKUP_S3_SSE": "aws:kms",
        "BACKUP_S3_KMS_KEY_ARN": (
            "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
        ),
        "PGHOST": (secret, "host"),
        "PGPORT": (secret, "port"),
        "PGDATABASE": (secret, "database"),
        "PGUSER": (secret, "username"),
        "PGSSLMODE": (secret, "sslmode"),
        "PGPASSWORD_FILE": "/var/run/secrets/awx-platform/postgres-password/password",
        "BACKUP_ENCRYPTION": "age",
        "BACKUP_AGE_RECIPIENTS": PROD_RECIPIENTS,
    }
    sslmode = next(v for v in container(cron_pod(prod))["env"] if v["name"] == "PGSSLMODE")
    assert sslmode["valueFrom"]["secretKeyRef"]["optional"] is True


def test_awx_secrets_are_mounted_and_the_private_key_is_not(prod: ProgramRun) -> None:
    pod = cron_pod(prod)
    assert mounts(pod) == {
        "/tmp": "emptyDir",
        "/var/run/secrets/awx-platform/postgres-password": "awx-postgres-configuration",
        "/var/run/awx-secrets/awx-postgres-configuration": "awx-postgres-configuration",
        "/var/run/awx-secrets/awx-secret-key": "awx-secret-key",
        "/var/run/awx-secrets/awx-admin-password": "awx-admin-password",
    }
    secret_volumes = [v for v in pod["volumes"] if "secret" in v]
    assert all(v["secret"]["defaultMode"] == 0o440 for v in secret_volumes)
    assert all(
        m.get("readOnly") for m in container(pod)["volumeMounts"] if m["mountPath"] != "/tmp"
    )
    assert "awx-backup-age-identity" not in str(pod)
    assert "BACKUP_AGE_IDENTITY_FILE" not in env(pod)


def test_aes_key_secret_is_mounted_as_a_file() -> None:
    run = _run("local", {"backup.encryption": {"mode": "aes-256", "key_secret": "awx-backup-key"}})
    for name in (BACKUP, DRILL):
        pod = cron_pod(run, name)
        assert env(pod)["BACKUP_ENCRYPTION"] == "aes-256"
        assert env(pod)["BACKUP_AES_KEY_FILE"] == "/var/run/awx-backup-key/key"
        assert mounts(pod)["/var/run/awx-backup-key"] == "awx-backup-key"
        assert "BACKUP_AGE_RECIPIENTS" not in env(pod)


def test_no_pushgateway_without_monitoring() -> None:
    run = _run("local", {"monitoring.enabled": False})
    assert "PUSHGATEWAY_URL" not in env(cron_pod(run))


def test_drill_runs_a_scratch_postgres_sidecar_on_localhost(prod: ProgramRun) -> None:
    spec = _cron_spec(prod, DRILL)
    assert spec["schedule"] == "0 4 * * 0"
    assert spec["concurrencyPolicy"] == "Forbid"
    pod = cron_pod(prod, DRILL)
    main = container(pod)
    assert main["args"] == ["backup", "drill"]
    variables = env(pod)
    assert set(variables) <= CONTRACT_VARIABLES
    assert variables["BACKUP_DRILL_TARGET_DSN"] == (
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    )
    assert variables["BACKUP_AGE_IDENTITY_FILE"] == "/var/run/awx-backup-identity/identity"
    assert mounts(pod)["/var/run/awx-backup-identity"] == "awx-backup-age-identity"
    # The drill restores into its own database: it never gets AWX's database credentials.
    assert not {"PGHOST", "PGPASSWORD", "PGPASSWORD_FILE"} & set(variables)
    (sidecar,) = pod["initContainers"]
    assert sidecar["restartPolicy"] == "Always"
    assert sidecar["image"] == f"docker.io/library/postgres:16.4@{PROD_POSTGRES_DIGEST}"
    assert "listen_addresses=127.0.0.1" in sidecar["args"]
    assert sidecar["securityContext"] == container_security_context()
    assert sidecar["startupProbe"]["exec"]["command"][:3] == ["pg_isready", "-h", "127.0.0.1"]
    assert set(sidecar["resources"]) == {"requests", "limits"}
    volumes = {v["name"]: v for v in pod["volumes"]}
    data = next(m for m in sidecar["volumeMounts"] if m["mountPath"] == "/var/lib/postgresql/data")
    assert volumes[data["name"]] == {
        "name": data["name"],
        "emptyDir": {"sizeLimit": "20Gi"},
    }


def test_drill_can_be_turned_off() -> None:
    run = _run("local", {"backup.drill": {"enabled": False}})
    assert [r.name for r in run.of_type(CRON_JOB)] == [BACKUP]


def test_no_restore_job_unless_a_backup_is_named(prod: ProgramRun) -> None:
    assert prod.of_type(JOB) == []
    assert [r for r in prod.of_type(ROLE) if r.name == RESTORE_SECRETS_ROLE] == []


def test_restore_job_restores_the_named_backup_into_awx_database() -> None:
    name = "awx-backup-awx-20261101-020000"
    run = _run("prod-aws", {"backup.restore": name, "backup.restore_clean": True})
    job = run.one(JOB).plain
    assert job["metadata"]["name"].startswith("awx-restore-")
    assert job["spec"]["backoffLimit"] == 0
    pod = job["spec"]["template"]["spec"]
    assert container(pod)["args"] == [
        "backup", "restore", name, "--target-dsn", "$(BACKUP_TARGET_DSN)", "--clean",
    ]  # fmt: skip
    variables = env(pod)
    assert set(variables) <= CONTRACT_VARIABLES
    assert variables["BACKUP_TARGET_DSN"] == (
        "host=$(PGHOST) port=$(PGPORT) dbname=$(PGDATABASE) user=$(PGUSER)"
    )
    names = [v["name"] for v in container(pod)["env"]]
    # Kubernetes expands $(VAR) only from variables defined earlier in the list.
    assert names.index("PGUSER") < names.index("BACKUP_TARGET_DSN")
    assert (
        variables["PGPASSWORD_FILE"] == "/var/run/secrets/awx-platform/postgres-password/password"
    )
    assert mounts(pod)["/var/run/secrets/awx-platform/postgres-password"] == (
        "awx-postgres-configuration"
    )
    assert mounts(pod)["/var/run/awx-backup-identity"] == "awx-backup-age-identity"
    assert [r for r in run.of_type(ROLE) if r.name == RESTORE_SECRETS_ROLE] == []
    assert run.outputs["backup"]["restore_job"] == job["metadata"]["name"]


def test_restoring_secrets_grants_write_on_awx_secrets_only() -> None:
    run = _run("prod-aws", {"backup.restore": "latest", "backup.restore_secrets": True})
    assert container(run.one(JOB).plain["spec"]["template"]["spec"])["args"][-1] == (
        "--restore-secrets"
    )
    role = run.one(ROLE, RESTORE_SECRETS_ROLE).plain
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": ["awx-postgres-configuration", "awx-secret-key", "awx-admin-password"],
            "verbs": ["get", "update", "patch"],
        },
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ]
    binding = run.one(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", RESTORE_SECRETS_ROLE
    ).plain
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "awx-backup", "namespace": "awx"}
    ]


def test_disabled_backups_create_nothing() -> None:
    run = _run("local", {"backup": {"enabled": False}})
    assert run.of_type(CRON_JOB) == []
    assert run.of_type("kubernetes:core/v1:PersistentVolumeClaim") == []
    assert "backup" not in run.outputs
