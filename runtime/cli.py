"""`awx-runtime`: the one console script that every in-pod job of the platform runs.

Each command group lives in its own module and adds itself to the parser through a
`register(subcommands)` function; this module only assembles them and maps failures to
exit codes, so a CronJob or Deployment sees a non-zero status on any error.
"""

import argparse
import importlib
import sys
from collections.abc import Sequence

from runtime.errors import AwxRuntimeError
from runtime.logs import configure_logging, log

# One entry per command group; each module exposes register(subparsers) and sets
# `handler` on its parsers (a callable taking the parsed namespace, returning an exit code).
COMMAND_MODULES: tuple[str, ...] = ("runtime.forks", "runtime.exporter", "runtime.backup.commands")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="awx-runtime",
        description="In-cluster jobs of awx-platform: backups, fork limits, metrics.",
    )
    parser.add_argument(
        "--log-format",
        choices=("json", "text"),
        default="json",
        help="json (one object per line, the default in pods) or text.",
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    configure_logging(arguments.log_format)
    try:
        status: int = arguments.handler(arguments)
    except AwxRuntimeError as failure:
        log.error(str(failure), extra={"event": "failed", "error_type": failure.kind})
        return failure.exit_code
    except KeyboardInterrupt:
        log.error("interrupted", extra={"event": "interrupted"})
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
