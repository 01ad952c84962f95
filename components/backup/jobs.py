"""AwxBackup: the backup CronJob, the restore Job (only when asked) and the restore drill.

All three run `awx-runtime` (components/pods.py hardening) under one ServiceAccount that
carries the store's workload identity. What each pod gets is in components/backup/pod_env.py.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.backup.pod_env import (
    DRILL_POSTGRES_PORT,
    DRILL_TARGET_DSN,
    SECRETS_DIR,
    PodWiring,
    awx_secrets,
    deployment_env,
    encryption_env,
    postgres_env,
    restore_target_env,
    settings_env,
)
from components.backup.stores.binding import StoreBinding
from components.events_rbac import event_recorder_role, recorder_env
from components.pods import (
    container_security_context,
    kubernetes_resources,
    runtime_container,
    runtime_pod_spec,
)
from components.settings.awx import ResourceRequirements
from components.settings.backup import BackupSettings, DrillSettings, JobSettings
from components.settings.runtime import RuntimeSettings

COMPONENT_LABEL = "app.kubernetes.io/component"
SCRATCH_SETTINGS = (
    "listen_addresses=127.0.0.1",
    f"port={DRILL_POSTGRES_PORT}",
    # Scratch data: durability buys nothing, speed does.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
)
"""Server settings of the drill's scratch PostgreSQL: reachable from inside the pod only."""


@dataclass(frozen=True)
class AwxSecretNames:
    """AWX's Secrets a backup carries and a restore can put back."""

    postgres_configuration: pulumi.Input[str]
    secret_key: pulumi.Input[str]
    admin_password: pulumi.Input[str]


@dataclass(frozen=True)
class AwxBackupArgs:
    settings: BackupSettings
    """The validated `backup` section."""
    runtime: RuntimeSettings
    """The awx-runtime image."""
    store: StoreBinding
    """How the pods reach the backup store."""
    service_account: str
    """Name of the ServiceAccount the pods run as (the store's identity trusts it)."""
    namespace: pulumi.Input[str]
    """Namespace of AWX."""
    instance_name: pulumi.Input[str]
    """Name of the AWX custom resource (AWX_DEPLOYMENT_NAME)."""
    secrets: AwxSecretNames
    """AWX's Secrets."""
    pushgateway_url: str | None = None
    """Where the jobs push metrics; none when monitoring is off."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class AwxBackup(pulumi.ComponentResource):
    """Scheduled encrypted backups of AWX, an optional restore, and a scheduled restore drill."""

    cron_job_name: pulumi.Output[str]
    """The backup CronJob."""
    drill_cron_job_name: pulumi.Output[str] | None
    """The restore drill CronJob (None when the drill is disabled)."""
    restore_job_name: pulumi.Output[str] | None
    """The restore Job (None unless backup.restore names a backup)."""

    def __init__(
        self, name: str, args: AwxBackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:backup:AwxBackup", name, None, opts)
        self._name = name
        self._args = args
        settings = args.settings
        self._account = self._service_account()
        events = event_recorder_role(
            f"{name}-backup",
            self._metadata(_object_name(args.service_account, "backup-events"), "backup"),
            args.service_account,
            self,
            [self._account],
        )
        # The pods record Events from their first run: the binding exists before any of them.
        self._prerequisites: list[pulumi.Resource] = [self._account, events]
        self._after_account = pulumi.ResourceOptions(parent=self, depends_on=self._prerequisites)
        base = (
            PodWiring(env=recorder_env(in_job=True))
            + deployment_env(args.instance_name, args.namespace)
            + settings_env(settings, args.pushgateway_url)
            + PodWiring(
                list(args.store.env),
                [dict(volume) for volume in args.store.volumes],
                [dict(mount) for mount in args.store.volume_mounts],
            )
        )
        secrets = args.secrets
        self.cron_job_name = self._cron_job(
            "backup",
            settings.schedule,
            settings.job,
            self._containers(
                "backup",
                ["backup", "create", "--secrets-dir", SECRETS_DIR],
                settings.job.resources,
                wiring=base
                + postgres_env(secrets.postgres_configuration)
                + encryption_env(settings.encryption, decrypts=False)
                + awx_secrets(
                    [secrets.postgres_configuration, secrets.secret_key, secrets.admin_password]
                ),
            ),
        )
        self.drill_cron_job_name = None
        if settings.drill.enabled:
            self.drill_cron_job_name = self._drill(base)
        self.restore_job_name = None
        if settings.restore is not None:
            self.restore_job_name = self._restore(settings.restore, base)

        outputs: dict[str, Any] = {"cron_job_name": self.cron_job_name}
        if self.drill_cron_job_name is not None:
            outputs["drill_cron_job_name"] = self.drill_cron_job_name
        if self.restore_job_name is not None:
            outputs["restore_job_name"] = self.restore_job_name
        self.register_outputs(outputs)

    def _metadata(self, name: str, component: str | None = None) -> dict[str, Any]:
        labels = dict(self._args.labels)
        if component is not None:
            labels[COMPONENT_LABEL] = component
        return {"name": name, "namespace": self._args.namespace, "labels": labels}

    def _pod_labels(self, component: str) -> dict[str, str]:
        return {**self._args.labels, COMPONENT_LABEL: component, **self._args.store.pod_labels}

    def _service_account(self) -> k8s.core.v1.ServiceAccount:
        metadata = self._metadata(self._args.service_account, "backup")
        metadata["annotations"] = dict(self._args.store.service_account_annotations)
        return k8s.core.v1.ServiceAccount(
            f"{self._name}-service-account",
            metadata=metadata,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _containers(
        self,
        container: str,
        command: Sequence[str],
        resources: ResourceRequirements,
        *,
        wiring: PodWiring,
        sidecars: Sequence[Mapping[str, Any]] = (),
        extra_volumes: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """A pod spec running one awx-runtime command (plus optional native sidecars)."""
        main = runtime_container(
            container,
            self._args.runtime,
            args=command,
            resources=kubernetes_resources(resources),
            env=wiring.env,
            volume_mounts=wiring.volume_mounts,
        )
        extra: dict[str, Any] = {"restartPolicy": "Never"}
        if sidecars:
            extra["initContainers"] = list(sidecars)
        return runtime_pod_spec(
            [main],
            self._args.service_account,
            volumes=[*wiring.volumes, *extra_volumes],
            **extra,
        )

    def _job_spec(
        self, component: str, job: JobSettings, pod_spec: dict[str, Any], backoff: int
    ) -> dict[str, Any]:
        return {
            "backoffLimit": backoff,
            "activeDeadlineSeconds": job.active_deadline_seconds,
            "template": {"metadata": {"labels": self._pod_labels(component)}, "spec": pod_spec},
        }

    def _cron_job(
        self, component: str, schedule: str, job: JobSettings, pod_spec: dict[str, Any]
    ) -> pulumi.Output[str]:
        spec: dict[str, Any] = {
            "schedule": schedule,
            # Two dumps at once double the load on AWX's database and race on the lock.
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": job.starting_deadline_seconds,
            "successfulJobsHistoryLimit": job.successful_jobs_history_limit,
            "failedJobsHistoryLimit": job.failed_jobs_history_limit,
            "jobTemplate": {
                "metadata": {"labels": self._pod_labels(component)},
                "spec": self._job_spec(component, job, pod_spec, job.backoff_limit),
            },
        }
        if job.time_zone is not None:
            spec["timeZone"] = job.time_zone
        cron_job = k8s.batch.v1.CronJob(
            f"{self._name}-{component}",
            metadata=self._metadata(_object_name(self._args.service_account, component), component),
            spec=spec,
            opts=self._after_account,
        )
        return cron_job.metadata.apply(lambda metadata: str(metadata.name))

    def _drill(self, base: PodWiring) -> pulumi.Output[str]:
        settings = self._args.settings
        drill = settings.drill
        wiring = (
            base
            + encryption_env(settings.encryption, decrypts=True)
            + PodWiring(env=[{"name": "BACKUP_DRILL_TARGET_DSN", "value": DRILL_TARGET_DSN}])
        )
        pod_spec = self._containers(
            "restore-drill",
            ["backup", "drill"],
            drill.resources,
            wiring=wiring,
            sidecars=[scratch_postgres(drill)],
            extra_volumes=[
                {"name": "scratch-data", "emptyDir": {"sizeLimit": drill.scratch_size}},
                {"name": "scratch-run", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
            ],
        )
        return self._cron_job("restore-drill", settings.drill_schedule, drill, pod_spec)

    def _restore(self, backup: str, base: PodWiring) -> pulumi.Output[str]:
        settings = self._args.settings
        command = ["backup", "restore", backup, "--target-dsn", "$(BACKUP_TARGET_DSN)"]
        if settings.restore_clean:
            command.append("--clean")
        depends_on: list[pulumi.Resource] = []
        if settings.restore_secrets:
            command.append("--restore-secrets")
            depends_on.append(self._secret_writer())
        pod_spec = self._containers(
            "restore",
            command,
            settings.job.resources,
            wiring=base
            + postgres_env(self._args.secrets.postgres_configuration)
            + restore_target_env()
            + encryption_env(settings.encryption, decrypts=True),
        )
        # A new name per backup: Jobs are immutable, and a finished one must not be re-run.
        digest = hashlib.sha256(backup.encode()).hexdigest()[:8]
        job = k8s.batch.v1.Job(
            f"{self._name}-restore",
            metadata=self._metadata(
                _object_name(self._args.service_account, f"restore-{digest}"), "restore"
            ),
            # A failed restore is looked at by a person, not retried over a half-written database.
            spec=self._job_spec("restore", settings.job, pod_spec, backoff=0),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self._prerequisites, *depends_on]
            ),
        )
        return job.metadata.apply(lambda metadata: str(metadata.name))

    def _secret_writer(self) -> k8s.rbac.v1.RoleBinding:
        """Write access to AWX's three Secrets, for `--restore-secrets` only."""
        secrets = self._args.secrets
        name = _object_name(self._args.service_account, "restore-secrets")
        role = k8s.rbac.v1.Role(
            f"{self._name}-restore-secrets",
            metadata=self._metadata(name, "restore"),
            rules=[
                {
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "resourceNames": [
                        secrets.postgres_configuration,
                        secrets.secret_key,
                        secrets.admin_password,
                    ],
                    "verbs": ["get", "update", "patch"],
                },
                # Kubernetes cannot limit create by name; needed when a Secret is missing.
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return k8s.rbac.v1.RoleBinding(
            f"{self._name}-restore-secrets",
            metadata=self._metadata(name, "restore"),
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            subjects=[
                {
                    "kind": "ServiceAccount",
                    "name": self._args.service_account,
                    "namespace": self._args.namespace,
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )


def scratch_postgres(drill: DrillSettings) -> dict[str, Any]:
    """A throwaway PostgreSQL as a native sidecar, reachable only inside the pod."""
    ready = ["pg_isready", "-h", "127.0.0.1", "-p", str(DRILL_POSTGRES_PORT), "-U", "postgres"]
    return {
        "name": "scratch-postgres",
        "image": drill.postgres_image_reference,
        "imagePullPolicy": "IfNotPresent",
        # restartPolicy Always on an init container: a sidecar that lives as long as the pod's
        # main container and is stopped when it exits (Kubernetes >= 1.29).
        "restartPolicy": "Always",
        "args": [part for setting in SCRATCH_SETTINGS for part in ("-c", setting)],
        "env": [
            # Only containers of this pod can reach 127.0.0.1; the database is dropped after.
            {"name": "POSTGRES_HOST_AUTH_METHOD", "value": "trust"},
            {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
        ],
        "resources": kubernetes_resources(drill.postgres_resources),
        "securityContext": container_security_context(),
        "startupProbe": {
            "exec": {"command": ready},
            "periodSeconds": 2,
            "failureThreshold": 90,
        },
        "readinessProbe": {"exec": {"command": ready}, "periodSeconds": 10},
        "volumeMounts": [
            {"name": "scratch-data", "mountPath": "/var/lib/postgresql/data"},
            {"name": "scratch-run", "mountPath": "/var/run/postgresql"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def _object_name(service_account: str, suffix: str) -> str:
    return f"{service_account.removesuffix('-backup')}-{suffix}"
