"""Pulumi state stays where it is: every example stack registers exactly the resources of the
committed snapshot, by type token and logical name (and the type of the parent they sit under).

A URN is made of these, so a changed type token, a renamed child or a child moved under another
component is a delete plus a create for the engine: on a stateful resource, data lost. A
deliberate rename changes resource_names.json AND adds a `pulumi.Alias` to the resource in the
same commit (docs/development.md, "Frozen names"); regenerate the file with
`.venv/bin/python -m tests.unit.platform.test_resource_names --update` and review its diff.
"""

import json
import sys
from pathlib import Path

import pytest

from tests.harness import STACKS, run_program

SNAPSHOT = Path(__file__).with_name("resource_names.json")
URN_PREFIX = "urn:pulumi:"


def resource_names(stack: str) -> list[str]:
    """`<parent type>$<type>::<name>` of every resource the stack registers, sorted.

    The mock monitor builds URNs the engine's way, minus stack and project (the same for
    every resource of a stack) and with the nearest parent's type only.
    """
    names = []
    for urn in run_program(stack).urns:
        assert urn.startswith(URN_PREFIX), urn
        _stack, _project, qualified_type, name = urn.removeprefix(URN_PREFIX).split("::", 3)
        names.append(f"{qualified_type}::{name}")
    assert len(names) == len(set(names)), f"{stack}: a URN registered twice"
    return sorted(names)


def snapshot() -> dict[str, list[str]]:
    loaded: dict[str, list[str]] = json.loads(SNAPSHOT.read_text())
    return loaded


def test_the_snapshot_covers_every_example_stack() -> None:
    assert sorted(snapshot()) == sorted(STACKS)
    assert sorted(STACKS) == sorted(
        p.name.split(".")[1] for p in SNAPSHOT.parents[3].glob("Pulumi.*.yaml")
    )


@pytest.mark.parametrize("stack", STACKS)
def test_type_tokens_and_logical_names_are_unchanged(stack: str) -> None:
    expected, actual = set(snapshot()[stack]), set(resource_names(stack))
    assert (sorted(expected - actual), sorted(actual - expected)) == ([], []), (
        f"{stack}: (missing from the program, new in the program) against {SNAPSHOT.name}; "
        "a deliberate rename updates the snapshot and adds a pulumi.Alias in the same commit"
    )


def test_a_renamed_resource_would_be_caught() -> None:
    # The comparison itself must be able to fail: one renamed child is a difference.
    names = resource_names("local")
    renamed = [name.replace("-task-hpa", "-task-autoscaler") for name in names]
    assert set(renamed) != set(snapshot()["local"])


def update() -> None:
    SNAPSHOT.write_text(json.dumps({s: resource_names(s) for s in STACKS}, indent=1) + "\n")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update()
