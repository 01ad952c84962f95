"""The Deployment gate's judgement on Deployment objects as the API server returns them."""

from typing import Any

from deploy.gates.deployments import judge, rollout_problem


def deployment(
    *, generation: int = 2, observed: int = 2, replicas: int = 1, updated: int = 1,
    total: int = 1, available: int = 1, conditions: list[dict[str, str]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A Deployment in the shape of GET /apis/apps/v1/.../deployments/<name> (camelCase)."""
    if conditions is None:
        conditions = [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
        ]
    return {
        "metadata": {"name": "awx-exporter", "namespace": "awx", "generation": generation},
        "spec": {"replicas": replicas},
        "status": {
            "observedGeneration": observed,
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": available,
            "availableReplicas": available,
            "conditions": conditions,
        },
    }


def test_a_rolled_out_available_deployment_is_healthy() -> None:
    assert rollout_problem(deployment()) is None


def test_a_stuck_update_is_unhealthy_although_the_old_pod_keeps_it_available() -> None:
    # What the -unready image does: the new pod never becomes Ready, the old one serves.
    stuck = deployment(
        updated=1, total=2, available=1,
        conditions=[
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"},
        ],
    )  # fmt: skip
    assert rollout_problem(stuck) == "rollout in progress: 1 old replicas still running"


def test_progress_deadline_exceeded_is_named() -> None:
    failed = deployment(
        updated=1, total=2, available=1,
        conditions=[
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
             "message": 'ReplicaSet "awx-exporter-5d9" has timed out progressing.'},
        ],
    )  # fmt: skip
    problem = rollout_problem(failed)
    assert problem is not None
    assert problem.startswith("ProgressDeadlineExceeded: ReplicaSet")


def test_a_generation_the_controller_has_not_seen_is_not_rolled_out() -> None:
    problem = rollout_problem(deployment(generation=3, observed=2))
    assert problem == "the controller has not observed generation 3 yet (at 2)"


def test_updated_but_unavailable_replicas() -> None:
    assert rollout_problem(deployment(replicas=2, updated=2, total=2, available=1)) == (
        "1 of 2 updated replicas available"
    )


def test_not_available_condition() -> None:
    unavailable = deployment(
        conditions=[
            {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}
        ]
    )
    assert rollout_problem(unavailable) == "not Available (MinimumReplicasUnavailable)"


def test_a_new_deployment_without_status_is_not_healthy() -> None:
    fresh = {"metadata": {"generation": 1}, "spec": {"replicas": 1}}
    assert rollout_problem(fresh) == "the controller has not observed generation 1 yet (at 0)"


def test_judge_names_each_unhealthy_and_each_missing_deployment() -> None:
    found = {"awx/awx-exporter": deployment(), "awx/awx-fork-enforcer": deployment(updated=0)}
    result = judge(found, ["awx/awx-exporter", "monitoring/awx-pushgateway"])
    assert result.status == "fail"
    assert "awx/awx-fork-enforcer: rollout stuck or in progress: 0 of 1 replicas updated" in (
        result.detail
    )
    assert "monitoring/awx-pushgateway: declared in the stack's state but not in the cluster" in (
        result.detail
    )
    assert "awx/awx-exporter" not in result.detail


def test_judge_passes_when_all_are_healthy() -> None:
    result = judge({"awx/a": deployment(), "awx/b": deployment()}, ["awx/a"])
    assert result.status == "pass"
    assert result.detail == "2 rolled out and Available: awx/a, awx/b"
