"""The one flag/env parser of the runtime: settings that are flags with an environment-variable
fallback, both named in --help and in every error, as pods set them through `env` and operators
override them by flag. Every command group (backup, exporter, forks, ...) declares its settings
as a table of `Option`s and reads them through `OptionValues`:

    OPTIONS = (
        Option("url", "--url", "AWX_API_URL", "AWX base URL"),                    # required
        Option("interval", "--interval", "INTERVAL_SECONDS", "seconds between passes", "60"),
        Option("dry_run", "--dry-run", "DRY_RUN", "change nothing", "false", switch=True),
        Option("groups", "--group", "GROUPS", "NAME=N; repeatable", "", repeatable=True),
    )
    add_options(parser, OPTIONS)                  # in register(): one flag per option
    values = OptionValues(arguments, OPTIONS)     # in the handler: flag, else env, else default
    values.positive("interval", float)            # typed reads; each error names flag and env
    values.secret("token_file", "AWX_TOKEN")      # a file's content, else the variable

Every failure is a ConfigurationError (exit status 2) whose message starts with
`<flag> / <VARIABLE>: `. Secrets are never flags (a command line is visible to every process on
the node): only a flag naming a file that holds one.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from runtime.errors import ConfigurationError

Number = TypeVar("Number", int, float)
TRUE, FALSE = ("1", "true", "yes"), ("", "0", "false", "no")


@dataclass(frozen=True)
class Option:
    dest: str
    flag: str
    env: str
    help: str
    default: str | None = None
    """None: the setting is required; "" means optional and unset."""
    switch: bool = False
    """A flag without a value (sets "true"); the variable holds true or false."""
    repeatable: bool = False
    """The flag may be given several times; the variable holds the items comma-separated."""
    metavar: str | None = None
    """How --help shows the value (default: the dest in capitals)."""

    @property
    def names(self) -> str:
        return f"{self.flag} / {self.env}"


def add_options(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    for option in options:
        fallback = "required" if option.default is None else f"default {option.default!r}"
        text = f"{option.help} (env {option.env}; {fallback})"
        if option.switch:
            parser.add_argument(option.flag, dest=option.dest, action="store_true", help=text)
        else:
            parser.add_argument(
                option.flag,
                dest=option.dest,
                action="append" if option.repeatable else "store",
                metavar=option.metavar,
                help=text,
            )


def _given(value: object) -> str | None:
    """What argparse holds for a flag, as text; None when the flag was not given."""
    if value is None or value is False:
        return None
    if value is True:
        return "true"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


class OptionValues:
    """Resolved settings: the flag if given, else the variable, else the default."""

    def __init__(self, arguments: argparse.Namespace, options: Sequence[Option]) -> None:
        self._options = {option.dest: option for option in options}
        self._values: dict[str, str] = {}
        for option in options:
            value = _given(getattr(arguments, option.dest))
            if value is None:
                value = os.environ.get(option.env, option.default)
            if value is None or (option.default is None and not value.strip()):
                raise self.error(option.dest, "required, not set")
            self._values[option.dest] = value.strip()

    def error(self, dest: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"{self.names(dest)}: {problem}")

    def names(self, dest: str) -> str:
        """`<flag> / <VARIABLE>` of the option, as errors name it."""
        return self._options[dest].names

    def text(self, dest: str) -> str:
        return self._values[dest]

    def optional(self, dest: str) -> str | None:
        return self._values[dest] or None

    def number(self, dest: str, kind: type[Number]) -> Number:
        try:
            return kind(self._values[dest])
        except ValueError:
            expected = "an integer" if kind is int else "a number"
            raise self.error(dest, f"{self._values[dest]!r} is not {expected}") from None

    def positive(self, dest: str, kind: type[Number]) -> Number:
        number = self.number(dest, kind)
        if number <= 0:
            raise self.error(dest, "must be positive")
        return number

    def non_negative(self, dest: str, kind: type[Number]) -> Number:
        number = self.number(dest, kind)
        if number < 0:
            raise self.error(dest, "must not be negative")
        return number

    def port(self, dest: str) -> int:
        """A TCP port; 0 lets the system pick one."""
        number = self.number(dest, int)
        if not 0 <= number <= 65535:
            raise self.error(dest, f"must be a port number 0-65535; got {number}")
        return number

    def boolean(self, dest: str) -> bool:
        text = self._values[dest].lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise self.error(dest, f"must be true or false; got {self._values[dest]!r}")

    def existing_file(self, dest: str) -> str | None:
        """A path that must name a file; None when unset."""
        path = self.optional(dest)
        if path is not None and not Path(path).is_file():
            raise self.error(dest, f"no such file {path!r}")
        return path

    def secret(self, file_dest: str, variable: str | None) -> str | None:
        """The content of the file the option names, else the variable `variable` (None: a
        secret that only comes as a file), else None."""
        path = self.optional(file_dest)
        if path is None:
            return (os.environ.get(variable) or None) if variable else None
        try:
            value = Path(path).read_text().strip()
        except OSError as error:
            raise self.error(file_dest, f"cannot read {path!r} ({error.strerror})") from None
        if not value:
            raise self.error(file_dest, f"{path!r} is empty")
        return value

    def items(self, dest: str) -> tuple[str, ...]:
        """A comma-separated list (a repeatable flag's values, joined)."""
        return tuple(item.strip() for item in self._values[dest].split(",") if item.strip())
