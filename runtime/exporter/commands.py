"""`awx-runtime exporter`: awx_* metrics and health endpoints for the AWX platform.

The command group's entry (runtime/cli.py imports it only when `exporter` is asked for): its
flags come from settings.py, its work from serve.py.
"""

from __future__ import annotations

from typing import Any

from runtime.exporter.serve import run
from runtime.exporter.settings import OPTIONS, SECRETS_HELP
from runtime.options import add_options


def register(groups: Any) -> None:
    parser = groups.add_parser(
        "exporter",
        help="serve awx_* metrics and health endpoints",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=SECRETS_HELP,
    )
    add_options(parser, OPTIONS)
    parser.set_defaults(handler=run)
