"""`awx-runtime`: the one console script that every in-pod job of the platform runs.

Each command group lives in its own module and adds itself to the parser through a
`register(subcommands)` function; this module only assembles them and maps failures to
exit codes, so a CronJob or Deployment sees a non-zero status on any error.
"""

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib import metadata

from runtime.errors import AwxRuntimeError
from runtime.logs import configure_logging, log

# One entry per command group, `runtime.<group>.commands`: each exposes register(subparsers)
# and sets `handler` on its parsers (a callable taking the parsed namespace, returning an exit
# code). A new group is a package runtime/<group>/ with a commands.py, added here.
COMMAND_MODULES: tuple[str, ...] = (
    "runtime.forks.commands",
    "runtime.exporter.commands",
    "runtime.backup.commands",
    "runtime.rightsizing.commands",
)
COMMAND_NAMES = {"runtime.rightsizing.commands": "rightsize"}
"""Groups whose command is not their package's name: the right-sizing package registers
`awx-runtime rightsize` (the interface the issue names)."""


def _group(module_name: str) -> str:
    """The command group a module registers: runtime.backup.commands -> backup."""
    return COMMAND_NAMES.get(module_name, module_name.split(".")[1])


def _modules_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    """Only the requested group's module when the command line names one: importing every
    group costs seconds and tens of MB in a pod that runs one job (the backup's memory budget)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    while arguments and arguments[0].startswith("-"):
        option = arguments.pop(0)
        if option == "--log-format" and arguments:
            arguments.pop(0)
    if arguments:
        chosen = tuple(name for name in COMMAND_MODULES if _group(name) == arguments[0])
        if chosen:
            return chosen
    return COMMAND_MODULES


def _version() -> str:
    """The installed distribution's version: what the image was built from."""
    try:
        return metadata.version("awx-platform")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="awx-runtime",
        description="In-cluster jobs of awx-platform: backups, fork limits, metrics.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--log-format",
        choices=("json", "text"),
        default="json",
        help="json (one object per line, the default in pods) or text.",
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for module_name in _modules_for(argv):
        importlib.import_module(module_name).register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
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
