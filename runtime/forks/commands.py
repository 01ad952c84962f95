"""`awx-runtime forks ...`: fork limits of AWX (one command, `enforce`: enforce.py).

The command group's entry (runtime/cli.py imports it only when `forks` is asked for).
"""

import argparse
from typing import Any

from runtime.forks import enforce, settings
from runtime.options import add_options


def register(groups: Any) -> None:
    forks = groups.add_parser("forks", help="Fork limits of AWX.")
    commands = forks.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser = commands.add_parser(
        "enforce",
        help="Keep MAX_FORKS, instance-group limits and job-template forks at their values.",
        description=enforce.__doc__,
        epilog=settings.CREDENTIALS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(parser, settings.OPTIONS)
    parser.add_argument(
        "--once", action="store_true", help="Run one pass and exit (1 when a request failed)"
    )
    parser.set_defaults(handler=enforce.enforce_command)
