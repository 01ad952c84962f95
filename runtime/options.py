"""Command settings that are flags with an environment-variable fallback, both named in --help
and in every error, as pods set them through `env` and operators override them by flag."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from runtime.errors import ConfigurationError

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Option:
    dest: str
    flag: str
    env: str
    help: str
    default: str | None = None
    """None: the setting is required; "" means optional and unset."""

    @property
    def names(self) -> str:
        return f"{self.flag} / {self.env}"


def add_options(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    for option in options:
        fallback = "required" if option.default is None else f"default {option.default!r}"
        parser.add_argument(
            option.flag, dest=option.dest, help=f"{option.help} (env {option.env}; {fallback})"
        )


class OptionValues:
    """Resolved settings: the flag if given, else the variable, else the default."""

    def __init__(self, arguments: argparse.Namespace, options: Sequence[Option]) -> None:
        self._options = {option.dest: option for option in options}
        self._values: dict[str, str] = {}
        for option in options:
            value = getattr(arguments, option.dest)
            if value is None:
                value = os.environ.get(option.env, option.default)
            if value is None or (option.default is None and not value.strip()):
                raise self.error(option.dest, "required, not set")
            self._values[option.dest] = value.strip()

    def error(self, dest: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"{self._options[dest].names}: {problem}")

    def text(self, dest: str) -> str:
        return self._values[dest]

    def optional(self, dest: str) -> str | None:
        return self._values[dest] or None

    def positive(self, dest: str, kind: type[Number]) -> Number:
        try:
            number = kind(self._values[dest])
        except ValueError:
            expected = "an integer" if kind is int else "a number"
            raise self.error(dest, f"{self._values[dest]!r} is not {expected}") from None
        if number <= 0:
            raise self.error(dest, "must be positive")
        return number

    def items(self, dest: str) -> tuple[str, ...]:
        """A comma-separated list."""
        return tuple(item.strip() for item in self._values[dest].split(",") if item.strip())
