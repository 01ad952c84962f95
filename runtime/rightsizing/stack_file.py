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
from ruamel.yaml.util import load_yaml_guess_indent

from runtime.errors import ConfigurationError

NAMESPACE = "awx-platform"


def _yaml(text: str = "") -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the patch did not touch
    if text:
        # ruamel re-indents block sequences to its own default; keep the file's instead.
        _, sequence, offset = load_yaml_guess_indent(text)
        yaml.indent(mapping=_mapping_indent(text), sequence=sequence or 2, offset=offset or 0)
    return yaml


def _mapping_indent(text: str) -> int:
    """The indent of the first nested mapping key (Pulumi stack files use 2)."""
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if line != stripped and stripped and not stripped.startswith(("#", "-")):
            return len(line) - len(stripped)
    return 2


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
        for key, value in (config or {}).items():
            if str(key).startswith(f"{NAMESPACE}:") and not isinstance(value, dict | None):
                raise ConfigurationError(f"--stack-file {path}: {key} must be a map")
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
        """The file's text with `changes` ({key: value}) set, everything else as it was.

        A map the file lacks is written with its defaults filled in: the config models read a
        partly written map with the inner fields' defaults (requests: {} means no requests),
        not the outer default, so writing only the changed key would drop its siblings.
        """
        document = _yaml().load(self.text) or CommentedMap()
        if document.get("config") is None:
            document["config"] = CommentedMap()
        config = document["config"]
        for key, value in changes.items():
            section, *rest = key.split(".")
            name = f"{NAMESPACE}:{section}"
            if config.get(name) is None:
                config[name] = CommentedMap()  # every field of a section has its own default
            node, path = config[name], [section]
            for part in rest[:-1]:
                path.append(part)
                if node.get(part) is None:
                    node[part] = _filled(self._default_at(path))
                node = node[part]
            node[rest[-1]] = value
        buffer = io.StringIO()
        _yaml(self.text).dump(document, buffer)
        return buffer.getvalue()

    def _default_at(self, path: list[str]) -> Any:
        node: Any = self._defaults
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        return node


def _filled(defaults: Any) -> CommentedMap:
    """A YAML map of `defaults` without nulls; maps of scalars in flow style ({cpu: 1, ...})."""
    filled = CommentedMap()
    if not isinstance(defaults, dict):
        return filled
    for key, value in defaults.items():
        if isinstance(value, dict):
            filled[key] = _filled(value)
        elif value is not None:
            filled[key] = value
    if filled and not any(isinstance(value, dict) for value in filled.values()):
        filled.fa.set_flow_style()
    return filled
