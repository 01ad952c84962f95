"""The monitoring component under mocks: stack install or attach, scraping, rules, dashboards,
routing Secret, exporters and NetworkPolicies."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from components.monitoring.alertmanager import NULL_RECEIVER, PAGERDUTY_RECEIVER, SLACK_RECEIVER
from components.monitoring.rules import default_slos, rule_groups
from components.monitoring.schedule import longest_gap_seconds
from components.monitoring.targets import (
    JOB_AWX,
    JOB_ENFORCER,
    JOB_EXPORTER,
    JOB_POSTGRES_EXPORTER,
    JOB_PUSHGATEWAY,
    JOB_REDIS_EXPORTER,
)
from components.settings.monitoring import PUSHGATEWAY_SERVICE
from tests.harness import (
    ProgramRun,
    Registered,
    is_secret,
    run_failing_program,
    run_program,
    stack_config,
    with_value,
)
from tests.unit.monitoring.support import stack_dashboards, stack_targets

RELEASE = "kubernetes:helm.sh/v3:Release"
MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
PASSWORD = "random:index/randomPassword:RandomPassword"
TOKEN = "awx-metrics-token-0123456789"
ROUTING_KEY = "pagerduty-routing-key-0123456789"
WEBHOOK = "https://hooks.slack.com/services/T0/B0/0123456789abcdef"


def named(run: ProgramRun, type_token: str) -> dict[str, Registered]:
    return {r.inputs["metadata"]["name"]: r for r in run.of_type(type_token)}


def monitors(run: ProgramRun) -> dict[str, dict[str, Any]]:
    """ServiceMonitor name -> its one endpoint."""
    found = {}
    for name, monitor in named(run, MONITOR).items():
        (endpoint,) = monitor.plain["spec"]["endpoints"]
        found[name] = endpoint
    return found


def job_of(endpoint: dict[str, Any]) -> str:
    (relabeling,) = endpoint["relabelings"]
    assert relabeling["targetLabel"] == "job"
    return str(relabeling["replacement"])


@pytest.fixture(scope="module")
def local() -> ProgramRun:
    return run_program("local")


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_program("dev")


def test_attached_stack_installs_nothing_but_selects_by_release_label(local: ProgramRun) -> None:
    assert [r for r in local.of_type(RELEASE) if r.inputs["chart"] != "awx-operator"] == []
    assert local.of_type(PASSWORD) == []
    for resource in [*local.of_type(MONITOR), *local.of_type(RULE)]:
        assert resource.inputs["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_every_scrape_rewrites_job_to_its_constant(local: ProgramRun) -> None:
    jobs = {name: job_of(endpoint) for name, endpoint in monitors(local).items()}
    assert jobs == {
        "awx-api": JOB_AWX,
        "awx-exporter": JOB_EXPORTER,
        "awx-enforcer": JOB_ENFORCER,
        "awx-postgres-exporter": JOB_POSTGRES_EXPORTER,
        "awx-pushgateway": JOB_PUSHGATEWAY,
    }
    endpoints = monitors(local)
    assert endpoints["awx-pushgateway"]["honorLabels"] is True
    assert all("honorLabels" not in e for n, e in endpoints.items() if n != "awx-pushgateway")
    pushgateway = named(local, MONITOR)["awx-pushgateway"]
    assert pushgateway.inputs["metadata"]["namespace"] == "monitoring"
    selector = pushgateway.inputs["spec"]["selector"]["matchLabels"]
    service = named(local, "kubernetes:core/v1:Service")[PUSHGATEWAY_SERVICE]
    assert service.inputs["metadata"]["namespace"] == "monitoring"
    assert service.inputs["spec"]["selector"] == selector
    assert service.inputs["spec"]["ports"][0]["port"] == 9091


def without_token_secret() -> dict[str, Any]:
    config = stack_config("local")
    del config["awx-platform:monitoring"]["exporters"]["awx_token_secret"]
    return config


def test_awx_is_scraped_with_a_bearer_token_from_a_secret() -> None:
    config = with_value(without_token_secret(), "secrets.awx_metrics_token", TOKEN)
    run = run_program("local", config, secret_keys=["awx-platform:secrets"])
    endpoint = monitors(run)["awx-api"]
    assert job_of(endpoint) == JOB_AWX
    assert endpoint["path"] == "/api/v2/metrics/"
    assert endpoint["port"] == "http"
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "awx-metrics-token", "key": "token"},
    }
    secret = named(run, SECRET)["awx-metrics-token"]
    assert is_secret(secret.inputs["stringData"]) or is_secret(secret.inputs["stringData"]["token"])
    leaked = [r.name for r in run.resources if r.type != SECRET and TOKEN in json.dumps(r.inputs)]
    assert leaked == []
    exporter = named(run, DEPLOYMENT)["awx-exporter"].plain
    env = {e["name"]: e for e in exporter["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "AWX_TOKEN" not in env
    assert env["AWX_TOKEN_FILE"]["value"] == "/var/run/secrets/awx-platform/awx-token/token"
    volumes = exporter["spec"]["template"]["spec"]["volumes"]
    assert {"name": "awx-token", "secret": {"secretName": "awx-metrics-token", "defaultMode": 0o440,
            "items": [{"key": "token", "path": "token"}]}} in volumes  # fmt: skip


@pytest.mark.parametrize("stack", ["prod-aws", "prod-azure", "prod-gcp"])
def test_production_examples_scrape_awx_with_their_token_secret(stack: str) -> None:
    run = run_program(stack, stack_config(stack))
    endpoint = monitors(run)["awx-api"]
    assert endpoint["path"] == "/api/v2/metrics/"
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "awx-metrics-token", "key": "token"},
    }


def test_existing_token_secret_is_used_as_is(local: ProgramRun) -> None:
    endpoint = monitors(local)["awx-api"]
    assert endpoint["authorization"]["credentials"] == {"name": "awx-metrics-token", "key": "token"}
    assert "awx-metrics-token" not in named(local, SECRET)


def test_without_a_token_awx_is_not_scraped_anonymously() -> None:
    run = run_program("local", without_token_secret())
    assert "awx-api" not in monitors(run)
    exporter = named(run, DEPLOYMENT)["awx-exporter"].plain
    env = exporter["spec"]["template"]["spec"]["containers"][0]["env"]
    assert "AWX_TOKEN" not in {e["name"] for e in env}


def test_both_token_sources_are_refused() -> None:
    config = with_value(stack_config("local"), "secrets.awx_metrics_token", TOKEN)
    failed = run_failing_program("local", config, secret_keys=["awx-platform:secrets"])
    assert (
        "awx-platform:secrets.awx_metrics_token: cannot be combined with "
        "monitoring.exporters.awx_token_secret; use one source"
    ) in str(failed.error)


def test_exporter_probes_its_health_endpoints_with_least_privilege(local: ProgramRun) -> None:
    deployment = named(local, DEPLOYMENT)["awx-exporter"].plain
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["exporter"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e for e in container["env"]}
    assert "PGPASSWORD" not in env
    password = "/var/run/secrets/awx-platform/postgres-password"
    assert env["PGPASSWORD_FILE"]["value"] == f"{password}/password"
    assert {"name": "postgres-password", "mountPath": password, "readOnly": True} in container[
        "volumeMounts"
    ]
    role = named(local, ROLE)["awx-exporter"].plain
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {
            "apiGroups": ["awx.ansible.com"],
            "resources": ["awxs"],
            "resourceNames": ["awx"],
            "verbs": ["get"],
        },
    ]


def test_rules_and_dashboards_come_from_their_modules(local: ProgramRun) -> None:
    targets = stack_targets("local")
    (rule,) = local.of_type(RULE)
    assert rule.plain["spec"]["groups"] == rule_groups(targets, default_slos(targets))
    expected = stack_dashboards("local")
    maps = [
        r
        for r in local.of_type(CONFIGMAP)
        if r.inputs["metadata"]["labels"].get("grafana_dashboard")
    ]
    assert len(maps) == len(expected)
    for config_map in maps:
        assert config_map.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert config_map.inputs["metadata"]["namespace"] == "monitoring"
        ((file_name, text),) = config_map.inputs["data"].items()
        assert json.loads(text) == expected[file_name]


def test_targets_follow_the_stack(local: ProgramRun) -> None:
    targets = stack_targets("local")
    assert targets.namespace == "awx"
    assert targets.jobs_namespace == "awx-jobs"
    assert targets.hpa_name == "awx-task"
    assert targets.backup_interval_seconds == 24 * 3600
    assert targets.enforcer_enabled is True


@pytest.mark.parametrize(
    ("schedule", "hours"),
    [
        ("0 2 * * *", 24),
        ("@weekly", 168),
        ("0 2 * * 1-5", 72),
        ("0 */6 * * *", 6),
        ("30 1 1 * *", 744),
    ],
)
def test_longest_gap_between_backups(schedule: str, hours: int) -> None:
    assert longest_gap_seconds(schedule) == hours * 3600


def test_network_policies_deny_by_default_and_allow_what_awx_needs(local: ProgramRun) -> None:
    policies = {name: p.plain["spec"] for name, p in named(local, POLICY).items()}
    assert policies["awx-default-deny"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    assert {r.inputs["metadata"]["namespace"] for r in local.of_type(POLICY)} == {"awx"}
    prometheus = policies["awx-allow-prometheus"]["ingress"][0]
    assert prometheus["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    assert {p["port"] for p in prometheus["ports"]} >= {8052, 9180, 9181, 9187}
    backup = policies["awx-allow-backup-egress"]
    assert backup["podSelector"]["matchExpressions"][0]["values"] == [
        "backup",
        "restore",
        "restore-drill",
    ]
    assert backup["egress"][1]["ports"] == [{"protocol": "TCP", "port": 9091}]
    # Every runtime pod that records Events reaches the API server; nothing else new does.
    assert backup["egress"][2] == {
        "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6443}]
    }
    api = policies["awx-allow-kubernetes-api"]["podSelector"]["matchExpressions"][0]["values"]
    assert api == ["awx-task", "awx-platform-exporter", "awx-fork-enforcer", "awx-rightsizing"]
    assert set(policies) >= {
        "awx-allow-dns",
        "awx-allow-web-ingress",
        "awx-allow-postgres",
        "awx-allow-kubernetes-api",
    }


def test_network_policies_can_be_turned_off() -> None:
    config = with_value(stack_config("local"), "monitoring.network_policies.enabled", False)
    assert run_program("local", config).of_type(POLICY) == []


def test_redis_exporter_runs_only_for_a_tcp_redis() -> None:
    config = with_value(
        stack_config("local"), "monitoring.exporters.redis_address", "redis.db:6379"
    )
    run = run_program("local", config)
    assert job_of(monitors(run)["awx-redis-exporter"]) == JOB_REDIS_EXPORTER
    policies = {name: p.plain["spec"] for name, p in named(run, POLICY).items()}
    assert policies["awx-allow-redis-egress"]["egress"] == [
        {"ports": [{"protocol": "TCP", "port": 6379}]}
    ]


def test_installed_stack_is_the_pinned_chart_with_retention_and_replicas() -> None:
    run = run_program("prod-aws")
    release = next(r for r in run.of_type(RELEASE) if r.inputs["chart"] == "kube-prometheus-stack")
    assert release.inputs["version"] == "88.5.3"
    assert release.inputs["name"] == "kube-prometheus-stack"
    assert release.inputs["namespace"] == "monitoring"
    values = release.plain["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "30d"
    assert spec["retentionSize"] == "90GB"
    assert spec["replicas"] == 2
    assert spec["resources"]["limits"]["memory"]
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "100Gi"
    grafana = values["grafana"]
    assert grafana["admin"]["existingSecret"] == "kube-prometheus-stack-grafana-admin"
    assert grafana["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    amspec = values["alertmanager"]["alertmanagerSpec"]
    assert amspec["configSecret"] == "kube-prometheus-stack-alertmanager-config"
    # Nothing secret rides in the chart values.
    assert "adminPassword" not in json.dumps(values)


def test_grafana_password_is_generated_and_secret(dev: ProgramRun) -> None:
    assert "awx-platform-monitoring-grafana-admin-password" in {
        r.name for r in dev.of_type(PASSWORD)
    }
    secret = named(dev, SECRET)["kube-prometheus-stack-grafana-admin"]
    data = secret.inputs["stringData"]
    assert is_secret(data) or is_secret(data["admin-password"])
    assert secret.plain["stringData"]["admin-password"] != "admin"
    # The monitors wait for the chart that brings their CRDs: they are created after it.
    names = [r.name for r in dev.resources]
    release = names.index("awx-platform-monitoring-stack")
    assert all(names.index(m.name) > release for m in dev.of_type(MONITOR))


def test_alert_routing_secret_carries_pagerduty_and_slack_from_secrets() -> None:
    config = stack_config("prod-aws")
    config = with_value(config, "secrets.pagerduty_routing_key", ROUTING_KEY)
    config = with_value(config, "secrets.slack_webhook_url", WEBHOOK)
    run = run_program("prod-aws", config, secret_keys=["awx-platform:secrets"])
    secret = named(run, SECRET)["kube-prometheus-stack-alertmanager-config"]
    data = secret.inputs["stringData"]
    assert is_secret(data) or is_secret(data["alertmanager.yaml"])
    document = yaml.safe_load(secret.plain["stringData"]["alertmanager.yaml"])
    receivers = {r["name"]: r for r in document["receivers"]}
    assert set(receivers) == {NULL_RECEIVER, PAGERDUTY_RECEIVER, SLACK_RECEIVER}
    assert receivers[PAGERDUTY_RECEIVER]["pagerduty_configs"][0]["routing_key"] == ROUTING_KEY
    assert receivers[SLACK_RECEIVER]["slack_configs"][0]["channel"] == "#awx-alerts"
    leaked = [
        r.name
        for r in run.resources
        if r.type != SECRET
        and (ROUTING_KEY in json.dumps(r.inputs) or WEBHOOK in json.dumps(r.inputs))
    ]
    assert leaked == []


def test_monitoring_can_be_switched_off() -> None:
    config = with_value(stack_config("local"), "monitoring.enabled", False)
    run = run_program("local", config)
    assert run.of_type(MONITOR) == []
    assert run.of_type(RULE) == []
    assert run.of_type(POLICY) == []


def test_rendering_cannot_install_the_stack() -> None:
    rendering = with_value(stack_config("local"), "cluster", {"render_directory": "rendered/x"})
    config = with_value(rendering, "monitoring.install_stack", True)
    failed = run_failing_program("local", config)
    assert (
        "awx-platform:monitoring.install_stack: must be false when cluster.render_directory"
        in str(failed.error)
    )


def test_plaintext_routing_secrets_are_refused() -> None:
    config = with_value(stack_config("prod-aws"), "secrets.slack_webhook_url", WEBHOOK)
    config.pop("awx-platform:secrets", None)
    config = with_value(config, "secrets.slack_webhook_url", WEBHOOK)
    failed = run_failing_program("prod-aws", config)
    assert "awx-platform:secrets: holds plaintext values" in str(failed.error)


def test_backup_pods_may_reach_an_s3_compatible_endpoint_on_its_port() -> None:
    run = run_program("dev-minio")
    policies = {name: p.plain["spec"] for name, p in named(run, POLICY).items()}
    ports = policies["awx-allow-backup-egress"]["egress"][0]["ports"]
    assert ports == [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 9000}]


def test_installed_monitoring_namespace_is_protected_unless_turned_off() -> None:
    namespace = "kubernetes:core/v1:Namespace"
    protected = run_program("prod-aws").one(namespace, "awx-platform-monitoring-namespace")
    assert protected.protect
    config = with_value(stack_config("prod-aws"), "monitoring.protect", False)
    unprotected = run_program("prod-aws", config).one(
        namespace, "awx-platform-monitoring-namespace"
    )
    assert not unprotected.protect
