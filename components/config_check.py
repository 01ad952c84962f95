"""`python -m components.config_check STACK_FILE`: validate a Pulumi stack file's
`awx-platform:` config with the program's own models, without running the program.

The right-sizing advisor (runtime/, which may not import components/) runs this on its patched
copy of a stack file before it replaces the original. Encrypted (`secure:`) values cannot be
decrypted here; each stands for a secret string, as the engine would pass it. Exit 0 when
valid, 1 with one problem per line on stderr, 2 when the file cannot be read as a stack file.
"""

import sys
from pathlib import Path
from typing import Any

import yaml

from components.config import NAMESPACE, ConfigError, validate_stack_config

SECRET_STAND_IN = "secure-value-validated-as-a-secret-string"


def _decrypted_stand_in(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_STAND_IN
        return {key: _decrypted_stand_in(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypted_stand_in(item) for item in value]
    return value


def sections(document: Any, source: str) -> dict[str, Any]:
    """The `awx-platform:<section>` values of a stack file's `config:` map."""
    if not isinstance(document, dict):
        raise ValueError(f"{source}: not a Pulumi stack file (expected a map)")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"{source}: `config` must be a map")
    prefix = f"{NAMESPACE}:"
    return {
        key[len(prefix) :]: _decrypted_stand_in(value)
        for key, value in config.items()
        if isinstance(key, str) and key.startswith(prefix)
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m components.config_check STACK_FILE", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        raw = sections(yaml.safe_load(path.read_text()), str(path))
    except (OSError, yaml.YAMLError, ValueError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    try:
        validate_stack_config(raw)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
