"""Every manifest of every stack is valid against the Kubernetes OpenAPI schemas (strict).

Kubernetes kinds use the schemas kubernetes-validate ships; the AWX resource uses our schema
written from the awx-operator CRD (scripts/cluster/awx_schema.py), ServiceMonitor and
PrometheusRule ours from the Prometheus Operator API (tests/unit/monitoring/crd_schema.py).
"""

from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from scripts.cluster.awx_schema import AWX_SCHEMA
from tests.harness import STACKS, run_program, stack_config, with_value
from tests.unit.monitoring.crd_schema import SCHEMAS as MONITORING_SCHEMAS

# The oldest Kubernetes release we support and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())


def validate(manifest: dict[str, Any], version: str) -> None:
    if manifest["apiVersion"] == "awx.ansible.com/v1beta1":
        jsonschema.validate(manifest, AWX_SCHEMA)
    elif manifest["apiVersion"] == "monitoring.coreos.com/v1":
        jsonschema.validate(manifest, MONITORING_SCHEMAS[manifest["kind"]])
    else:
        kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("stack", STACKS)
def test_stack_manifests_are_schema_valid(stack: str, version: str) -> None:
    manifests = run_program(stack).manifests()
    assert manifests
    for manifest in manifests:
        validate(manifest, version)


def test_options_that_add_fields_stay_schema_valid() -> None:
    config = stack_config("local")
    for path, value in {
        "autoscaling.enabled": False,
        "awx.ingress": {"type": "route", "hostname": "awx.apps.example.com", "tls_secret": "tls"},
        "awx.tolerations": [{"operator": "Exists"}],
        "awx.admin_email": "ops@example.com",
        "awx.extra_settings": {"AWX_ROLES_ENABLED": True},
    }.items():
        config = with_value(config, path, value)
    for manifest in run_program("local", config).manifests():
        validate(manifest, KUBERNETES_VERSIONS[0])


def test_the_validators_do_reject_bad_manifests() -> None:
    manifests = {m["kind"]: m for m in run_program("local").manifests()}
    namespace = {**manifests["Namespace"], "spec": {"finalizers": "kubernetes"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(namespace, KUBERNETES_VERSIONS[0])
    awx = manifests["AWX"]
    for bad_spec in ({"node_selector": {"a": "b"}}, {"web_replica": 1}, {"web_replicas": "2"}):
        with pytest.raises(jsonschema.ValidationError):
            validate({**awx, "spec": {**awx["spec"], **bad_spec}}, KUBERNETES_VERSIONS[0])
