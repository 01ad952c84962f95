"""The Pulumi stack file the advisor reads its current values from and, with --apply, patches.

Round-trip YAML (ruamel.yaml) keeps comments, key order, quoting and flow style of every line
the patch does not change. Values the file leaves unset are the config models' defaults, which
`make docs` exports to stack_defaults.json (runtime/ may not import components/).
"""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from runtime.errors import ConfigurationError

NAMESPACE = "awx-platform"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the patch did not touch
    return yaml


def defaults() -> dict[str, Any]:
    text = resources.files("runtime.rightsizing").joinpath("stack_defaults.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class StackFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text()
        except OSError as error:
            raise ConfigurationError(
                f"--stack-file {path}: cannot be read ({error.strerror})"
            ) from None
        try:
            document = _yaml().load(self.text)
        except YAMLError as error:
            raise ConfigurationError(f"--stack-file {path}: not valid YAML: {error}") from None
        if document is None:
            document = CommentedMap()
        if not isinstance(document, dict):
            raise ConfigurationError(f"--stack-file {path}: not a Pulumi stack file (no map)")
        config = document.get("config")
        if config is not None and not isinstance(config, dict):
            raise ConfigurationError(f"--stack-file {path}: `config` must be a map")
        self.document = document
        self._defaults = defaults()

    def _section(self, name: str) -> Any:
        config = self.document.get("config") or {}
        section = config.get(f"{NAMESPACE}:{name}")
        if section is not None and not isinstance(section, dict):
            raise ConfigurationError(f"--stack-file {self.path}: {NAMESPACE}:{name} must be a map")
        return section

    def configured(self, key: str) -> Any:
        """The value the file sets for `section.a.b`, or None."""
        section, *rest = key.split(".")
        node = self._section(section)
        for part in rest:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def value(self, key: str) -> Any:
        """The effective value: the file's, else the config models' default."""
        configured = self.configured(key)
        if configured is not None:
            return configured
        node: Any = self._defaults
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def patched(self, changes: dict[str, Any]) -> str:
        """The file's text with `changes` ({key: value}) set, everything else as it was."""
        document = _yaml().load(self.text) or CommentedMap()
        if document.get("config") is None:
            document["config"] = CommentedMap()
        config = document["config"]
        for key, value in changes.items():
            section, *rest = key.split(".")
            name = f"{NAMESPACE}:{section}"
            if config.get(name) is None:
                config[name] = CommentedMap()
            node = config[name]
            for part in rest[:-1]:
                if node.get(part) is None:
                    node[part] = CommentedMap()
                node = node[part]
            node[rest[-1]] = value
        buffer = io.StringIO()
        _yaml().dump(document, buffer)
        return buffer.getvalue()
