"""A compliant and a violating example for every policy in the pack."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource

from tests.policies.pack import resource

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
CRONJOB = "kubernetes:batch/v1:CronJob"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"

GOOD_CONTAINER: dict[str, Any] = {
    "name": "exporter",
    "image": "ghcr.io/example/awx-runtime:1.4.2",
    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 9100}},
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 9100}},
    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True},
    "env": [{"name": "AWX_TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}}],
}


def deployment(
    name: str = "exporter", replicas: int | None = 1, **container_changes: Any
) -> dict[str, Any]:
    container = {**copy.deepcopy(GOOD_CONTAINER), **container_changes}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"securityContext": {"runAsNonRoot": True}, "containers": [container]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"metadata": {"name": name, "namespace": "awx"}, "spec": spec}


def without(value: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(value)
    target = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return changed


def awx(extra_settings: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "awx", "namespace": "awx"},
        "spec": {
            "image": "quay.io/ansible/awx",
            "image_version": "24.6.1",
            "task_resource_requirements": {"limits": {"cpu": "2", "memory": "4Gi"}},
            "extra_settings": [{"setting": k, "value": v} for k, v in extra_settings.items()],
            **spec,
        },
    }


def hpa(minimum: int, maximum: int, target: str = "awx-task") -> dict[str, Any]:
    return {
        "metadata": {"name": f"{target}-hpa", "namespace": "awx"},
        "spec": {
            "minReplicas": minimum,
            "maxReplicas": maximum,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
        },
    }


def pdb(app: str) -> dict[str, Any]:
    return {
        "metadata": {"name": f"{app}-pdb", "namespace": "awx"},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": app}}},
    }


def backup_cronjob(policy: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "awx-backup",
            "namespace": "awx",
            "labels": {"app.kubernetes.io/component": "backup"},
        },
        "spec": {"schedule": "0 2 * * *", "concurrencyPolicy": policy, "jobTemplate": {}},
    }


PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
PRODUCTION = "prod-aws"
AGE_RECIPIENT = "age1cupz85mthq9an0xdwexp5ran5lgxayp9axsyj9hv9nmt5vufgf3s748yk0"
BACKUP_ENV: dict[str, str] = {
    "BACKUP_ENCRYPTION": "age",
    "BACKUP_AGE_RECIPIENTS": AGE_RECIPIENT,
    "BACKUP_RETENTION_DAYS": "90",
}


def backup_job(schedule: str = "0 2 * * *", **env: str | None) -> dict[str, Any]:
    """A backup CronJob whose pod carries BACKUP_ENV with `env` changes (None removes)."""
    values = {k: v for k, v in (BACKUP_ENV | env).items() if v is not None}
    container = {"name": "backup", "env": [{"name": k, "value": v} for k, v in values.items()]}
    job = backup_cronjob("Forbid")
    job["spec"]["schedule"] = schedule
    job["spec"]["jobTemplate"] = {"spec": {"template": {"spec": {"containers": [container]}}}}
    return job


def monitoring_objects(rules: bool = True, monitor: bool = True) -> list[PolicyResource]:
    found = []
    if rules:
        groups = [{"name": "awx-backups", "rules": [{"alert": "AWXBackupMissing", "expr": "1"}]}]
        props = {"metadata": {"name": "awx", "namespace": "monitoring"}, "spec": {"groups": groups}}
        found.append(resource(PROMETHEUS_RULE, props, "rules", stack=PRODUCTION))
    if monitor:
        props = {
            "metadata": {"name": "awx-exporter", "namespace": "monitoring"},
            "spec": {"endpoints": [{"port": "metrics"}], "selector": {"matchLabels": {}}},
        }
        found.append(resource(SERVICE_MONITOR, props, "monitor", stack=PRODUCTION))
    return found


def production(*cron_jobs: dict[str, Any], stack: str = PRODUCTION) -> list[PolicyResource]:
    """An AWX stack with these backup CronJobs; monitoring objects come separately."""
    found = [resource(AWX, awx({}), "awx", stack=stack)]
    found += [resource(CRONJOB, job, f"backup-{i}", stack=stack) for i, job in enumerate(cron_jobs)]
    return found


DIGEST = "@sha256:" + "0" * 64


def pinned_workloads(digest: str = DIGEST) -> list[PolicyResource]:
    """A production stack with the awx-runtime exporter and the Pushgateway (tag + digest)."""
    exporter = deployment(image=f"ghcr.io/awx-platform/awx-runtime:0.1.0{DIGEST}")
    gateway = deployment("pushgateway", image=f"quay.io/prometheus/pushgateway:v1.9.0{digest}")
    return [
        *production(),
        resource(DEPLOYMENT, exporter, "exporter", stack=PRODUCTION),
        resource(DEPLOYMENT, gateway, "pushgateway", stack=PRODUCTION),
    ]


def one(resource_type: str, props: dict[str, Any]) -> list[PolicyResource]:
    return [resource(resource_type, props)]


def s3(**overrides: dict[str, Any] | None) -> list[PolicyResource]:
    bucket = resource("aws:s3/bucket:Bucket", {"bucket": "awx-backups"}, "bucket")
    companions: dict[str, tuple[str, dict[str, Any]]] = {
        "public": (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
             "restrictPublicBuckets": True},
        ),
        "encryption": (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        ),
        "versioning": (
            "aws:s3/bucketVersioning:BucketVersioning",
            {"versioningConfiguration": {"status": "Enabled"}},
        ),
        "policy": (
            "aws:s3/bucketPolicy:BucketPolicy",
            {"policy": json.dumps({"Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})},
        ),
        "lifecycle": (
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            {"rules": [{"id": "retention", "status": "Enabled", "expiration": {"days": 90},
                        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1}}]},
        ),
    }  # fmt: skip
    resources = [bucket]
    for key, (resource_type, props) in companions.items():
        if key in overrides and overrides[key] is None:
            continue
        merged = {"bucket": "awx-backups", **props, **(overrides.get(key) or {})}
        resources.append(resource(resource_type, merged, key, dependencies=[bucket]))
    return resources


AZURE_ACCOUNT: dict[str, Any] = {
    "accountName": "awxbackups",
    "enableHttpsTrafficOnly": True,
    "minimumTlsVersion": "TLS1_2",
    "allowBlobPublicAccess": False,
}
GCS_BUCKET: dict[str, Any] = {
    "name": "awx-backups",
    "uniformBucketLevelAccess": True,
    "publicAccessPrevention": "enforced",
    "versioning": {"enabled": True},
    "lifecycleRules": [{"action": {"type": "Delete"}, "condition": {"age": 365}}],
}


def azure(account: dict[str, Any], soft_delete: bool | None = True) -> list[PolicyResource]:
    owner = resource("azure-native:storage:StorageAccount", account, "account")
    resources = [owner]
    if soft_delete is not None:
        service = {"accountName": account["accountName"],
                   "deleteRetentionPolicy": {"enabled": soft_delete, "days": 14}}  # fmt: skip
        resources.append(
            resource("azure-native:storage:BlobServiceProperties", service, "blob", [owner])
        )
    return resources


@dataclass(frozen=True)
class Case:
    policy: str
    compliant: list[PolicyResource]
    violating: list[PolicyResource]
    message: str
    config: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "k8s-container-resources",
        one(DEPLOYMENT, deployment()),
        one(DEPLOYMENT, deployment(resources={"requests": {"cpu": "50m"}})),
        "sets no requests.memory, limits.memory",
    ),
    Case(
        "k8s-image-pinned",
        one(DEPLOYMENT, deployment(image="redis@sha256:" + "a" * 64)),
        one(DEPLOYMENT, deployment(image="ghcr.io/example/awx-runtime:latest")),
        "without a pinned tag",
    ),
    Case(
        "k8s-probes",
        one(DEPLOYMENT, deployment()),
        one(DEPLOYMENT, deployment(readinessProbe=None)),
        "has no readinessProbe",
    ),
    Case(
        "k8s-run-as-non-root",
        one(DEPLOYMENT, deployment()),
        one(DEPLOYMENT, without(deployment(), "spec", "template", "spec", "securityContext")),
        "does not set runAsNonRoot: true",
    ),
    Case(
        "k8s-read-only-root-filesystem",
        one(DEPLOYMENT, deployment()),
        one(DEPLOYMENT, deployment(securityContext={"allowPrivilegeEscalation": False})),
        "writable root filesystem",
    ),
    Case(
        "k8s-no-privilege-escalation",
        one(DEPLOYMENT, deployment()),
        one(DEPLOYMENT, deployment(securityContext={"privileged": True})),
        "is privileged",
    ),
    Case(
        "k8s-no-default-namespace",
        one(CONFIGMAP, {"metadata": {"name": "a", "namespace": "awx"}}),
        one(CONFIGMAP, {"metadata": {"name": "a"}}),
        "is not given a namespace other than 'default'",
    ),
    Case(
        "k8s-protected-namespaces",
        one("kubernetes:core/v1:Namespace", {"metadata": {"name": "awx"}}),
        one(CONFIGMAP, {"metadata": {"name": "a", "namespace": "kube-system"}}),
        "'kube-system' is a protected namespace",
    ),
    Case(
        "k8s-protected-workloads",
        one(DEPLOYMENT, deployment("exporter")),
        one(
            DEPLOYMENT,
            deployment("coredns") | {"metadata": {"name": "coredns", "namespace": "awx"}},
        ),
        "awx/coredns is a protected workload",
        {"workloads": ["awx/coredns"]},
    ),
    Case(
        "k8s-hpa-bounds",
        one(HPA, hpa(2, 10)),
        one(HPA, hpa(0, 10)),
        "minReplicas must be at least 1",
    ),
    Case(
        "backup-cronjob-forbids-concurrency",
        one(CRONJOB, backup_cronjob("Forbid")),
        one(CRONJOB, backup_cronjob("Allow")),
        "concurrencyPolicy: Forbid",
    ),
    Case(
        "k8s-pdb-for-replicated-deployments",
        [
            resource(DEPLOYMENT, deployment("web", replicas=2), "web"),
            resource(PDB, pdb("web"), "pdb"),
        ],
        [
            resource(DEPLOYMENT, deployment("web", replicas=2), "web"),
            resource(PDB, pdb("other"), "pdb"),
        ],
        "no PodDisruptionBudget selects them",
    ),
    Case(
        "k8s-no-replicas-under-hpa",
        [
            resource(DEPLOYMENT, deployment("awx-task", replicas=None), "d"),
            resource(HPA, hpa(2, 5), "h"),
        ],
        [
            resource(DEPLOYMENT, deployment("awx-task", replicas=3), "d"),
            resource(HPA, hpa(2, 5), "h"),
        ],
        "is scaled by an HPA but sets spec.replicas",
    ),
    Case(
        "aws-s3-public-access-block",
        s3(),
        s3(public={"restrictPublicBuckets": False}),
        "no public access block with all four settings true",
    ),
    Case("aws-s3-encryption", s3(), s3(encryption=None), "no default server-side encryption"),
    Case(
        "aws-s3-versioning",
        s3(),
        s3(versioning={"versioningConfiguration": {"status": "Suspended"}}),
        "versioning is not enabled",
    ),
    Case(
        "aws-s3-tls-only",
        s3(),
        s3(policy={"policy": json.dumps({"Statement": []})}),
        "no bucket policy denying aws:SecureTransport false",
    ),
    Case(
        "aws-s3-lifecycle",
        s3(),
        s3(lifecycle={"rules": [{"status": "Enabled", "expiration": {"days": 90}}]}),
        "no enabled lifecycle rules with expiration and abortIncompleteMultipartUpload",
    ),
    Case(
        "azure-storage-https-only",
        azure(AZURE_ACCOUNT),
        azure(AZURE_ACCOUNT | {"enableHttpsTrafficOnly": False}),
        "enableHttpsTrafficOnly must be true",
    ),
    Case(
        "azure-storage-min-tls",
        azure(AZURE_ACCOUNT),
        azure(AZURE_ACCOUNT | {"minimumTlsVersion": "TLS1_0"}),
        "minimumTlsVersion must be TLS1_2",
    ),
    Case(
        "azure-storage-no-public-blob",
        azure(AZURE_ACCOUNT),
        azure(AZURE_ACCOUNT | {"allowBlobPublicAccess": True}),
        "allowBlobPublicAccess must be false",
    ),
    Case(
        "azure-storage-soft-delete",
        azure(AZURE_ACCOUNT),
        azure(AZURE_ACCOUNT, soft_delete=None),
        "blob soft delete (deleteRetentionPolicy) is not enabled",
    ),
    Case(
        "gcp-gcs-uniform-access",
        one("gcp:storage/bucket:Bucket", GCS_BUCKET),
        one("gcp:storage/bucket:Bucket", GCS_BUCKET | {"uniformBucketLevelAccess": False}),
        "uniformBucketLevelAccess must be true",
    ),
    Case(
        "gcp-gcs-public-access-prevention",
        one("gcp:storage/bucket:Bucket", GCS_BUCKET),
        one("gcp:storage/bucket:Bucket", GCS_BUCKET | {"publicAccessPrevention": "inherited"}),
        "publicAccessPrevention must be 'enforced'",
    ),
    Case(
        "gcp-gcs-versioning",
        one("gcp:storage/bucket:Bucket", GCS_BUCKET),
        one("gcp:storage/bucket:Bucket", without(GCS_BUCKET, "versioning")),
        "versioning.enabled must be true",
    ),
    Case(
        "gcp-gcs-lifecycle",
        one("gcp:storage/bucket:Bucket", GCS_BUCKET),
        one(
            "gcp:storage/bucket:Bucket",
            GCS_BUCKET
            | {
                "lifecycleRules": [
                    {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"}}
                ]
            },
        ),
        "no lifecycle rule with a Delete action",
    ),
    Case(
        "no-secrets-in-configmaps",
        one(CONFIGMAP, {"metadata": {"name": "c"}, "data": {"LOG_LEVEL": "info"}}),
        one(
            CONFIGMAP,
            {
                "metadata": {"name": "c"},
                "data": {"notify": "https://hooks.slack.com/services/T0/B0/xyz"},
            },
        ),
        "looks like a credential",
    ),
    Case(
        "no-secrets-in-env-values",
        # The path of a Secret mounted as a file is no secret (components/pods.py SecretFile)...
        one(
            DEPLOYMENT,
            deployment(
                env=[{"name": "PGPASSWORD_FILE", "value": "/var/run/secrets/pg/password"}],
                volumeMounts=[{"name": "pg", "mountPath": "/var/run/secrets/pg"}],
            ),
        ),
        # ...but a *_FILE variable holding anything else is named like the secret it holds.
        one(DEPLOYMENT, deployment(env=[{"name": "PGPASSWORD_FILE", "value": "hunter2hunter2"}])),
        "sets PGPASSWORD_FILE as a literal",
    ),
    Case(
        "awx-fork-limits-consistent",
        one(AWX, awx({"MAX_FORKS": "50", "DEFAULT_EXECUTION_QUEUE_MAX_FORKS": "200"})),
        one(AWX, awx({"MAX_FORKS": "300", "DEFAULT_EXECUTION_QUEUE_MAX_FORKS": "200"})),
        "MAX_FORKS (300) exceeds the default queue's fork budget (200)",
    ),
    Case(
        "awx-pinned-release",
        one(AWX, awx({})),
        one(AWX, awx({}, image_version="latest")),
        "pinned image_version",
    ),
    Case(
        "awx-task-limits",
        one(AWX, awx({})),
        one(AWX, awx({}, task_resource_requirements={"requests": {"cpu": "1"}})),
        "report the whole node's capacity",
    ),
    Case(
        "awx-prod-backups-enabled",
        production(backup_job()),
        production(),
        "has no backup CronJob",
    ),
    Case(
        "awx-prod-backups-encrypted",
        production(backup_job()),
        production(backup_job(BACKUP_ENCRYPTION="none")),
        "BACKUP_ENCRYPTION is 'none', not one of age, aes-256",
    ),
    Case(
        "awx-prod-backup-retention",
        production(backup_job()),
        production(backup_job(BACKUP_RETENTION_DAYS="14")),
        "keeps backups 14 days; production needs at least 30",
    ),
    Case(
        "awx-prod-monitoring-enabled",
        production(backup_job()) + monitoring_objects(),
        production(backup_job()) + monitoring_objects(monitor=False),
        "has no ServiceMonitor",
    ),
    Case(
        "awx-prod-images-by-digest",
        pinned_workloads(),
        pinned_workloads(digest=""),
        "quay.io/prometheus/pushgateway:v1.9.0 without a digest; "
        "set awx-platform:monitoring.exporters.pushgateway_image_digest",
    ),
]
