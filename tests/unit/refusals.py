"""The check every bad-config test makes: refused before anything is registered, the key named."""

from collections.abc import Mapping
from typing import Any

from components.config import ConfigError
from tests.harness import changed_config, run_failing_program


def assert_refused(stack: str, changes: Mapping[str, Any], key_path: str, explanation: str) -> None:
    """Running `stack` with `changes` fails with a ConfigError whose problem for `key_path`
    (`awx-platform:section.key`) says `explanation`, and registers nothing."""
    failure = run_failing_program(stack, changed_config(stack, changes))
    assert isinstance(failure.error, ConfigError)
    lines = [line for line in failure.error.problems if line.startswith(f"{key_path}:")]
    assert lines, f"no problem reported for {key_path}: {failure.error.problems}"
    assert any(explanation in line for line in lines), lines
    assert failure.registered == []
