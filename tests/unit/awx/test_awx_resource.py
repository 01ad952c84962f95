"""The AWX custom resource carries the configured values in the operator's field shapes."""

from typing import Any

import yaml

from tests.harness import (
    is_secret,
    run_changed,
    run_program,
    stack_config,
    with_value,
)

AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"


def spec_of(stack: str, **changes: Any) -> dict[str, Any]:
    changed = {path.replace("__", "."): value for path, value in changes.items()}
    return run_changed(stack, changed).one(AWX).inputs["spec"]


def test_image_is_pinned_with_repository_and_tag() -> None:
    spec = spec_of("local")
    assert spec["image"] == "quay.io/ansible/awx"
    assert spec["image_version"] == "24.6.1"


def test_every_container_gets_its_resource_requirements() -> None:
    spec = spec_of("local")
    assert spec["task_resource_requirements"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }
    for field in (
        "web_resource_requirements",
        "ee_resource_requirements",
        "redis_resource_requirements",
        "rsyslog_resource_requirements",
        "init_container_resource_requirements",
        "postgres_resource_requirements",
    ):
        assert set(spec[field]) == {"requests", "limits"}, field
        assert set(spec[field]["limits"]) == {"cpu", "memory"}, field


def test_resources_given_as_numbers_become_quantity_strings() -> None:
    spec = spec_of("local", awx__resources__task={"limits": {"cpu": 2}})
    assert spec["task_resource_requirements"] == {"limits": {"cpu": "2"}}


def test_placement_is_written_as_yaml_strings() -> None:
    spec = spec_of("prod-aws")
    assert yaml.safe_load(spec["node_selector"]) == {"workload": "awx"}
    assert yaml.safe_load(spec["tolerations"]) == [
        {"key": "dedicated", "operator": "Equal", "value": "awx", "effect": "NoSchedule"}
    ]


def test_ingress_maps_to_ingress_hosts() -> None:
    spec = spec_of("prod-aws", awx__ingress__annotations={"cert-manager.io/cluster-issuer": "le"})
    assert spec["ingress_type"] == "ingress"
    assert spec["ingress_hosts"] == [{"hostname": "awx.example.com", "tls_secret": "awx-tls"}]
    assert spec["ingress_class_name"] == "alb"
    assert yaml.safe_load(spec["ingress_annotations"]) == {"cert-manager.io/cluster-issuer": "le"}


def test_route_maps_to_route_host() -> None:
    spec = spec_of("local", awx__ingress={"type": "route", "hostname": "awx.apps.example.com"})
    assert spec["ingress_type"] == "route"
    assert spec["route_host"] == "awx.apps.example.com"
    assert "ingress_hosts" not in spec


def test_external_database_uses_its_secret_and_no_managed_storage() -> None:
    spec = spec_of("prod-aws")
    assert spec["postgres_configuration_secret"] == "awx-postgres-configuration"
    assert "postgres_storage_requirements" not in spec
    assert "postgres_resource_requirements" not in spec


def test_managed_database_gets_storage() -> None:
    spec = spec_of("prod-gcp")
    assert "postgres_configuration_secret" not in spec
    assert spec["postgres_storage_class"] == "premium-rwo"
    assert spec["postgres_storage_requirements"] == {"requests": {"storage": "50Gi"}}


def test_fork_limits_become_extra_settings() -> None:
    spec = spec_of(
        "local",
        autoscaling__max_forks_per_task=15,
        autoscaling__max_total_forks=45,
        awx__extra_settings={"LOG_AGGREGATOR_LEVEL": "DEBUG", "AWX_CLEANUP_PATHS": False},
    )
    assert spec["extra_settings"] == [
        {"setting": "MAX_FORKS", "value": "15"},
        {"setting": "DEFAULT_EXECUTION_QUEUE_MAX_FORKS", "value": "45"},
        {"setting": "DEFAULT_EXECUTION_QUEUE_MAX_CONCURRENT_JOBS", "value": "10"},
        {
            "setting": "DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE",
            "value": repr(
                '{"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "awx-jobs"}, '
                '"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuring'
                'Execution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": '
                '"eks.amazonaws.com/capacityType", "operator": "NotIn", "values": ["SPOT"]}, '
                '{"key": "karpenter.sh/capacity-type", "operator": "NotIn", "values": ["spot"]}, '
                '{"key": "cloud.google.com/gke-spot", "operator": "NotIn", "values": ["true"]}, '
                '{"key": "kubernetes.azure.com/scalesetpriority", "operator": "NotIn", "values": '
                '["spot"]}]}]}}}, "automountServiceAccountToken": false, "containers": [{"name": '
                '"worker", "resources": {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": '
                '{"cpu": "500m", "memory": "1Gi"}}}], "serviceAccountName": "default"}}'
            ),
        },
        {"setting": "AWX_CLEANUP_PATHS", "value": "False"},
        {"setting": "LOG_AGGREGATOR_LEVEL", "value": "'DEBUG'"},
    ]


def test_extra_settings_render_as_valid_python() -> None:
    extra = {"ORG_ADMINS_CAN_SEE_ALL_USERS": True, "AWX_ISOLATION_SHOW_PATHS": ["/opt/x"]}
    spec = spec_of("local", awx__extra_settings=extra)
    # The operator writes `{{ setting }} = {{ value }}` into settings.py.
    namespace: dict[str, Any] = {}
    exec("\n".join(f"{e['setting']} = {e['value']}" for e in spec["extra_settings"]), namespace)
    assert namespace["MAX_FORKS"] == 20
    assert isinstance(namespace["MAX_FORKS"], int)
    assert namespace["ORG_ADMINS_CAN_SEE_ALL_USERS"] is True
    assert namespace["AWX_ISOLATION_SHOW_PATHS"] == ["/opt/x"]


def test_autoscaling_hands_task_replicas_to_the_hpa() -> None:
    spec = spec_of("local", awx__task_replicas=3)
    assert spec["task_manage_replicas"] is False
    assert "task_replicas" not in spec
    assert "replicas" not in spec
    assert spec["termination_grace_period_seconds"] == 900


def test_without_autoscaling_the_operator_keeps_the_fixed_count() -> None:
    spec = spec_of("local", autoscaling__enabled=False, awx__task_replicas=3)
    assert spec["task_replicas"] == 3
    assert "task_manage_replicas" not in spec


def test_existing_secrets_are_referenced_not_generated() -> None:
    config = stack_config("local")
    del config["awx-platform:secrets"]
    config = with_value(config, "awx.admin_password_secret", "corp-awx-admin")
    config = with_value(config, "awx.secret_key_secret", "corp-awx-key")
    run = run_program("local", config)
    spec = run.one(AWX).inputs["spec"]
    assert spec["admin_password_secret"] == "corp-awx-admin"
    assert spec["secret_key_secret"] == "corp-awx-key"
    assert run.of_type("kubernetes:core/v1:Secret") == []
    assert run.of_type("random:index/randomPassword:RandomPassword") == []
    assert "admin_password" not in run.outputs


def test_configured_admin_password_is_used_and_kept_secret() -> None:
    config = with_value(stack_config("local"), "secrets", {"admin_password": "correct-horse-42"})
    run = run_program("local", config, secret_keys=["awx-platform:secrets"])
    secret = run.one("kubernetes:core/v1:Secret", "awx-platform-awx-admin-password")
    assert is_secret(secret.inputs["stringData"])
    assert secret.plain["stringData"] == {"password": "correct-horse-42"}
    assert run.outputs["admin_password"] == "correct-horse-42"
    assert "admin_password" in run.secret_outputs
    assert [r.name for r in run.resources if r.name.endswith("admin-password")] == [
        "awx-platform-awx-admin-password"
    ]


def test_configured_secret_key_and_password_need_no_random_provider() -> None:
    secrets = {"admin_password": "correct-horse-42", "secret_key": "k" * 48}
    config = with_value(stack_config("local"), "secrets", secrets)
    run = run_program("local", config, secret_keys=["awx-platform:secrets"])
    assert run.of_type("random:index/randomPassword:RandomPassword") == []
    key = run.one("kubernetes:core/v1:Secret", "awx-platform-awx-secret-key")
    assert is_secret(key.inputs["stringData"])
    assert key.plain["stringData"] == {"secret_key": "k" * 48}
    assert "k" * 48 not in str(run.outputs)
