"""The deploy's view of the stack config, its input checks, and the summary it prints."""

import json
from pathlib import Path

import pytest
from pulumi.automation import CommandError, ConfigValue
from pulumi.automation._cmd import CommandResult

from deploy import kube
from deploy.cli import health_timeout
from deploy.engine import failure_lines
from deploy.errors import DeployError
from deploy.gates import GateResult
from deploy.report import Rollback, Summary
from deploy.run import declared_deployments
from deploy.stack import StackTarget, parse_config, validate
from tests.harness import stack_config

COMMIT, GOOD = "a" * 40, "b" * 40


def as_cli_values(config: dict[str, object]) -> dict[str, ConfigValue]:
    """What `pulumi config --json` hands the Automation API: objects as JSON text."""
    return {key: ConfigValue(json.dumps(value)) for key, value in config.items()}


def test_the_local_stack_validates_and_names_its_namespaces(tmp_path: Path) -> None:
    raw = parse_config(as_cli_values(stack_config("local")))
    assert "secrets" not in raw  # never read: the deploy needs no secret
    target = StackTarget("local", validate(raw, "local"), tmp_path)
    assert target.namespaces == ["awx", "awx-jobs", "monitoring"]
    assert target.kubeconfig == tmp_path / ".tools/cluster/kubeconfig"
    health = target.config.deploy.health
    assert (health.window, health.policy, health.deployments) == (15, True, True)


def test_a_bad_deploy_key_is_refused_naming_it() -> None:
    raw = parse_config(as_cli_values(stack_config("local")))
    raw["deploy"] = {"health": {"window": -1, "prometheus_url": "prometheus:9090"}}
    with pytest.raises(DeployError) as error:
        validate(raw, "local")
    message = str(error.value)
    assert "awx-platform:deploy.health.window" in message
    assert "awx-platform:deploy.health.prometheus_url" in message


def test_a_rendering_stack_cannot_be_gated(tmp_path: Path) -> None:
    raw = parse_config(as_cli_values(stack_config("local")))
    raw["cluster"] = {"render_directory": "rendered/local"}
    with pytest.raises(DeployError, match=r"cluster\.render_directory is set"):
        StackTarget("local", validate(raw, "local"), tmp_path)


@pytest.mark.parametrize("text", ["0", "-5", "soon", "100000"])
def test_a_bad_health_timeout_names_the_variable(text: str) -> None:
    with pytest.raises(DeployError, match="DEPLOY_HEALTH_TIMEOUT="):
        health_timeout({"DEPLOY_HEALTH_TIMEOUT": text})


def test_health_timeout_default_and_value() -> None:
    assert health_timeout({}) == 600
    assert health_timeout({"DEPLOY_HEALTH_TIMEOUT": "90"}) == 90


def test_summary_of_a_rolled_back_deploy() -> None:
    summary = Summary("local", COMMIT, failure_stage="gates", failure_detail="deployments: stuck",
                      last_good_before=GOOD)  # fmt: skip
    summary.gates = [GateResult("deployments", "fail", "stuck")]
    summary.rollback = Rollback(GOOD, "succeeded", "healthy for 5 s",
                                gates=[GateResult("deployments", "pass", "ok")])  # fmt: skip
    summary.durations = {"up": 20.04, "gates": 30.0}
    document = summary.as_dict()
    assert summary.exit_code == 1
    assert document["outcome"] == "rolled-back"
    assert document["failure"] == {"stage": "gates", "detail": "deployments: stuck"}
    assert document["rollback"]["to_commit"] == GOOD
    assert document["rollback"]["gates"] == [
        {"gate": "deployments", "status": "pass", "detail": "ok"}
    ]
    assert document["last_good"] == {"before": GOOD, "recorded": None}
    assert document["durations"] == {"up": 20.0, "gates": 30.0}
    assert "| deployments | fail | stuck |" in summary.markdown()


@pytest.mark.parametrize(
    ("rollback", "outcome", "code"),
    [
        (None, "not-rolled-back", 3),
        (Rollback(None, "none", "no last good"), "not-rolled-back", 3),
        (Rollback(GOOD, "aborted", "protected"), "not-rolled-back", 3),
        (Rollback(GOOD, "unhealthy", "still stuck"), "rollback-failed", 4),
        (Rollback(GOOD, "failed", "up failed"), "rollback-failed", 4),
    ],
)
def test_exit_codes(rollback: Rollback | None, outcome: str, code: int) -> None:
    summary = Summary("dev", COMMIT, failure_stage="up", failure_detail="boom", rollback=rollback)
    assert (summary.outcome, summary.exit_code) == (outcome, code)


def test_a_healthy_deploy_exits_zero() -> None:
    summary = Summary("dev", COMMIT, status="succeeded", last_good_recorded=COMMIT)
    assert summary.exit_code == 0
    assert summary.one_line() == f"deploy of {COMMIT[:12]} to dev succeeded; recorded as last good"


def test_engine_errors_are_cut_to_their_error_lines() -> None:
    urn = (
        "urn:pulumi:local::awx-platform::awx-platform:platform:AwxPlatform$"
        "kubernetes:core/v1:ServiceAccount::awx-platform-monitoring-pushgateway-account"
    )
    stdout = (
        "Updating (local):\n  kubernetes:core/v1:ServiceAccount (x):\n"
        f'    error: resource "{urn}" was not successfully created by the Kubernetes API '
        'server: namespaces "absent" not found\nResources:\n    8 errored\n'
    )
    # The exception the Automation API raises for a failed `pulumi up`.
    error = CommandError(CommandResult(stdout, "error: update failed\n", 255))
    assert failure_lines(error) == (
        "error: resource awx-platform-monitoring-pushgateway-account was not successfully "
        'created by the Kubernetes API server: namespaces "absent" not found'
    )


def test_a_missing_kubeconfig_is_named(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match=r"kubeconfig .*absent.yaml does not exist"):
        kube.connect(tmp_path / "absent.yaml", None)
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n")
    with pytest.raises(DeployError, match=r"cluster\.kubeconfig .*no usable kubeconfig at"):
        kube.connect(broken, "nowhere")


def test_the_deployments_a_state_declares() -> None:
    state = {
        "resources": [
            {"type": "kubernetes:apps/v1:Deployment",
             "outputs": {"metadata": {"name": "awx-exporter", "namespace": "awx"}}},
            {"type": "kubernetes:apps/v1:Deployment",
             "outputs": {"metadata": {"name": "awx-pushgateway", "namespace": "monitoring"}}},
            {"type": "kubernetes:core/v1:Service",
             "outputs": {"metadata": {"name": "awx-exporter", "namespace": "awx"}}},
            # A create that failed leaves no outputs: nothing to look for.
            {"type": "kubernetes:apps/v1:Deployment", "outputs": {}},
        ]
    }  # fmt: skip
    assert declared_deployments(state) == ["awx/awx-exporter", "monitoring/awx-pushgateway"]
