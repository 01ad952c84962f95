"""Dry run writes nothing; --apply patches the stack file keeping its comments and formatting,
and only after the program's config models accepted the result."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.config import validate_stack_config
from components.config_check import sections
from runtime.rightsizing import patch
from tests.runtime.rightsizing.advisor_run import STACK, rightsize


def _copy(tmp_path: Path, name: str = "Pulumi.rightsize.yaml") -> Path:
    target = tmp_path / name
    shutil.copy(STACK, target)
    return target


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components.config_check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_dry_run_leaves_the_file_byte_identical(prometheus_url: str, tmp_path: Path) -> None:
    stack = _copy(tmp_path)
    before, stat = stack.read_bytes(), stack.stat()
    for fmt in ("table", "json", "yaml", "markdown"):
        assert rightsize(prometheus_url, stack=stack, fmt=fmt).status == 0
    assert stack.read_bytes() == before
    assert stack.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == [stack.name]  # no temporary left


def test_apply_writes_unblocked_values_keeps_comments_and_still_validates(
    prometheus_url: str, tmp_path: Path
) -> None:
    stack = _copy(tmp_path)
    original = stack.read_text()
    run = rightsize(prometheus_url, "--apply", stack=stack)
    assert run.status == 0, run.stderr
    patched = stack.read_text()
    applied = {i["field"]: i["recommended"] for i in run.recommendations if i["blocked_by"] is None}
    held = {i["field"]: i["current"] for i in run.recommendations if i["blocked_by"] is not None}
    assert applied and held
    config = yaml.safe_load(patched)["config"]
    for field, value in applied.items():
        assert _lookup(config, field) == value, field
    for field in held:
        assert _lookup(yaml.safe_load(original)["config"], field) == _lookup(config, field)
    # Every comment line and every line the patch did not touch survive, in order.
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in patched.splitlines()
    assert any(
        line.startswith("    max_task_replicas: 5 ") and line.endswith("# HPA upper bound")
        for line in patched.splitlines()
    )
    assert "    namespace: awx  # the AWX the generated history describes" in patched
    assert "        requests: {cpu: 125m, memory: 512Mi}" in patched  # flow style kept
    backup = original[original.index("  awx-platform:backup:") :]
    assert patched.endswith(backup)
    assert _check(stack).returncode == 0
    assert "applied=" in run.stderr and "applied=0" not in run.stderr


def test_apply_adds_keys_the_file_left_at_their_defaults(
    prometheus_url: str, tmp_path: Path
) -> None:
    stack = _copy(tmp_path)
    run = rightsize(prometheus_url, "--apply", stack=stack)
    ee = run.by_field("awx.resources.ee.requests.cpu")
    assert ee["current"] == "100m"  # the model's default: the file does not set it
    config = yaml.safe_load(stack.read_text())["config"]
    assert _lookup(config, "awx.resources.ee.requests.cpu") == ee["recommended"]
    assert _check(stack).returncode == 0


def test_a_patch_that_would_not_validate_is_not_written(
    prometheus_url: str, tmp_path: Path
) -> None:
    stack = tmp_path / "Pulumi.broken.yaml"
    stack.write_text(STACK.read_text().replace("    web_replicas: 1\n", "    web_replicas: 0\n"))
    before = stack.read_bytes()
    run = rightsize(prometheus_url, "--apply", stack=stack)
    assert run.status == 1
    assert "would not validate, nothing written" in run.stderr
    assert "awx-platform:awx.web_replicas" in run.stderr
    assert stack.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [stack.name]


def test_apply_with_nothing_to_apply_leaves_the_file(prometheus_url: str, tmp_path: Path) -> None:
    stack = _copy(tmp_path)
    before = stack.read_bytes()
    run = rightsize(
        prometheus_url,
        "--apply",
        "--min-confidence",
        "1",
        "--max-risk",
        "low",
        "--namespace",
        "awx-fresh",
        stack=stack,
    )
    assert run.status == 0
    assert all(i["blocked_by"] is not None for i in run.recommendations)
    assert stack.read_bytes() == before


def _lookup(config: dict[str, object], field: str) -> object:
    section, *keys = field.split(".")
    node: object = config.get(f"awx-platform:{section}")
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def test_apply_changes_nothing_but_the_applied_keys(prometheus_url: str, tmp_path: Path) -> None:
    """The effective configuration, as the program's models read it, before and after: only
    the applied keys differ (a map the file lacked is written with its defaults filled in)."""
    stack = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(Path(__file__).parents[3] / "Pulumi.dev.yaml", stack)
    before = validate_stack_config(sections(yaml.safe_load(stack.read_text()), "before"))
    run = rightsize(prometheus_url, "--apply", stack=stack)
    assert run.status == 0, run.stderr
    after = validate_stack_config(sections(yaml.safe_load(stack.read_text()), "after"))
    applied = {i["field"]: i["recommended"] for i in run.recommendations if i["blocked_by"] is None}
    assert "awx.resources.ee.requests.cpu" in applied  # Pulumi.dev.yaml sets no resources
    flat_before, flat_after = _flatten(before.model_dump()), _flatten(after.model_dump())
    changed = {key for key in flat_before if flat_before[key] != flat_after[key]}
    assert changed == {key for key, value in applied.items() if str(flat_before[key]) != str(value)}
    for key, value in applied.items():
        assert str(flat_after[key]) == str(value)


def _flatten(node: object, prefix: str = "") -> dict[str, object]:
    if not isinstance(node, dict):
        return {prefix: node}
    flat: dict[str, object] = {}
    for key, value in node.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def test_apply_without_the_config_models_writes_nothing(
    prometheus_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where components/ is not installed (the awx-runtime image) nothing can be validated."""
    monkeypatch.setattr(patch, "CHECK_MODULE", "components.not_installed_here")
    stack = _copy(tmp_path)
    before = stack.read_bytes()
    run = rightsize(prometheus_url, "--apply", stack=stack)
    assert run.status == 1
    assert "cannot validate the patch: components.not_installed_here is not installed" in run.stderr
    assert stack.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [stack.name]


@pytest.mark.parametrize(
    "gates",
    [
        ("--max-risk", "low"),
        ("--max-change-percent", "10"),
        ("--max-change-percent", "1000", "--max-risk", "critical"),
        ("--max-change-percent", "90", "--max-risk", "low"),
    ],
)
def test_whatever_the_gates_hold_back_the_applied_file_validates(
    prometheus_url: str, tmp_path: Path, gates: tuple[str, ...]
) -> None:
    """Requests and limits are applied or held as pairs that the config models accept."""
    stack = tmp_path / "Pulumi.pairs.yaml"
    stack.write_text(
        STACK.read_text().replace(
            '        requests: {cpu: 500m, memory: 1Gi}\n        limits: {cpu: "2", memory: 4Gi}',
            '        requests: {cpu: 500m, memory: 3Gi}\n        limits: {cpu: "2", memory: 4Gi}',
        )
    )
    run = rightsize(prometheus_url, "--apply", *gates, stack=stack)
    assert run.status == 0, run.stderr
    assert _check(stack).returncode == 0
