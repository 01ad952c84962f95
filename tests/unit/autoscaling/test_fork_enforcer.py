"""The fork enforcer Deployment under mocks: the monitoring contract, its options, its policies."""

import re

from tests.harness import run_changed, run_program
from tests.policies.pack import POLICIES, program_resources, violations


def test_enforcer_runs_per_the_monitoring_contract() -> None:
    run = run_program("local")
    by_kind = {
        m["kind"]: m for m in run.manifests() if m["metadata"]["name"] == "awx-fork-enforcer"
    }
    assert set(by_kind) == {"ServiceAccount", "Deployment", "Service"}
    # Its token records ForkLimitCorrected Events, with a Role allowing that alone.
    assert by_kind["ServiceAccount"].get("automountServiceAccountToken") is not False
    events = [m for m in run.manifests() if m["metadata"]["name"] == "awx-fork-enforcer-events"]
    assert {m["kind"] for m in events} == {"Role", "RoleBinding"}
    (role,) = [m for m in events if m["kind"] == "Role"]
    assert role["rules"] == [
        {
            "apiGroups": ["events.k8s.io"],
            "resources": ["events"],
            "verbs": ["create", "get", "patch"],
        }
    ]
    deployment = by_kind["Deployment"]
    labels = {"app.kubernetes.io/name": "awx-fork-enforcer", "app.kubernetes.io/instance": "awx"}
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is True
    assert pod["serviceAccountName"] == "awx-fork-enforcer"
    (container,) = pod["containers"]
    assert container["args"] == ["forks", "enforce", "--interval", "60"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9181}]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["AWX_API_URL"] == "http://awx-service.awx.svc:80"
    assert env["AWX_MAX_FORKS"] == "20"
    assert env["AWX_INSTANCE_GROUPS"] == "default=40:10"
    assert env["AWX_USERNAME"] == "admin"
    assert "AWX_PASSWORD" not in env
    assert env["AWX_PASSWORD_FILE"] == "/var/run/secrets/awx-platform/awx-password/password"
    assert {"name": "awx-password", "mountPath": "/var/run/secrets/awx-platform/awx-password",
            "readOnly": True} in container["volumeMounts"]  # fmt: skip
    assert {"name": "awx-password", "secret": {"secretName": "awx-admin-password",
            "items": [{"key": "password", "path": "password"}], "defaultMode": 0o440}
            } in pod["volumes"]  # fmt: skip
    assert env["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert (env["AWX_DEPLOYMENT_NAME"], env["AWX_NAMESPACE"]) == ("awx", "awx")
    service = by_kind["Service"]["spec"]
    assert service["selector"] == labels
    assert service["ports"] == [{"name": "metrics", "port": 9181, "targetPort": "metrics"}]


def test_enforcer_with_a_token_secret_and_dry_run() -> None:
    enforcer = {"token_secret": "awx-enforcer-token", "dry_run": True, "interval_seconds": 120}
    run = run_changed("local", {"autoscaling.enforcer": enforcer})
    (deployment,) = [
        m
        for m in run.manifests()
        if m["kind"] == "Deployment" and m["metadata"]["name"] == "awx-fork-enforcer"
    ]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["forks", "enforce", "--interval", "120", "--dry-run"]
    env = {e["name"]: e for e in container["env"]}
    assert env["AWX_TOKEN_FILE"]["value"] == "/var/run/secrets/awx-platform/awx-token/token"
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert [v["secret"]["secretName"] for v in volumes if "secret" in v] == ["awx-enforcer-token"]
    assert not {"AWX_TOKEN", "AWX_PASSWORD", "AWX_PASSWORD_FILE", "AWX_USERNAME"} & set(env)


def test_enforcer_can_be_left_out() -> None:
    run = run_changed("local", {"autoscaling.enforcer": {"enabled": False}})
    assert not [m for m in run.manifests() if re.search("fork-enforcer", m["metadata"]["name"])]


def test_the_enforcer_passes_the_advisory_policies_too() -> None:
    resources = [
        r
        for r in program_resources(run_program("local"), "local")
        # The enforcer component's own objects (not the monitoring dashboard named after it).
        if r.name.startswith("awx-platform-fork-enforcer-")
        and r.resource_type.startswith("kubernetes:")
    ]
    assert len(resources) == 5
    found = {name: violations(policy, resources) for name, policy in POLICIES.items()}
    assert {name: v for name, v in found.items() if v} == {}
