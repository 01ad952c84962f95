"""deploy.rollouts_awaited_by: who waits for the platform's Deployments to roll out."""

from tests.harness import run_changed, run_program, stack_config

SKIP_AWAIT = "pulumi.com/skipAwait"


def deployments(run_manifests: list[dict[str, object]]) -> list[dict[str, object]]:
    return [m for m in run_manifests if m["kind"] == "Deployment"]


def test_by_default_the_provider_awaits_every_rollout() -> None:
    found = deployments(run_program("local", stack_config("local")).manifests())
    assert len(found) >= 3
    for manifest in found:
        metadata: dict[str, dict[str, str]] = manifest["metadata"]  # type: ignore[assignment]
        assert SKIP_AWAIT not in (metadata.get("annotations") or {}), metadata


def test_gates_mark_every_deployment_and_nothing_else() -> None:
    manifests = run_changed("dev", {"deploy.rollouts_awaited_by": "gates"}).manifests()
    found = deployments(manifests)
    assert len(found) >= 3
    for manifest in found:
        metadata: dict[str, dict[str, str]] = manifest["metadata"]  # type: ignore[assignment]
        assert metadata["annotations"][SKIP_AWAIT] == "true"
        # The labels the gate selects by survive the transformation.
        assert metadata["labels"]["app.kubernetes.io/part-of"] == "awx-platform"
    others = [m for m in manifests if m["kind"] != "Deployment"]
    assert others
    assert not [m for m in others if SKIP_AWAIT in (m["metadata"].get("annotations") or {})]  # type: ignore[union-attr]
