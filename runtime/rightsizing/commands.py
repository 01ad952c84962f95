"""`awx-runtime rightsize`: recommend CPU/memory requests and limits for every AWX container
and the job pods, task replica bounds and the fork cap, from Prometheus history.

Dry run by default: prints the report and writes nothing. With --apply it writes the
recommendations no gate blocked into --stack-file (comments and formatting kept), after the
program's config models accepted the patched file. Exit 0 on success (with or without
recommendations), 2 for bad settings, 1 when something failed (the message names it).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from runtime.logs import log
from runtime.options import add_options
from runtime.prometheus_api import Prometheus
from runtime.rightsizing import patch, report, usage
from runtime.rightsizing.advisor import advise
from runtime.rightsizing.settings import OPTIONS, resolve


def register(groups: Any) -> None:
    command = groups.add_parser(
        "rightsize",
        help="Right-sizing recommendations from Prometheus history (dry run unless --apply).",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(command, OPTIONS)
    command.add_argument(
        "--format", choices=tuple(report.FORMATS), default="table", help="Report format"
    )
    command.add_argument(
        "--apply", action="store_true", help="Write unblocked recommendations to --stack-file"
    )
    command.add_argument(
        "--publish",
        action="store_true",
        help="Publish metrics, the report ConfigMap and an Event (runtime/rightsizing/publish.py)",
    )
    command.set_defaults(handler=rightsize_command)


def rightsize_command(arguments: argparse.Namespace) -> int:
    settings = resolve(arguments)
    prometheus = Prometheus(settings.prometheus_url)
    try:
        history = usage.collect(prometheus, settings.scope, settings.until, settings.window_seconds)
    finally:
        prometheus.close()
    result = advise(history, settings.stack, settings.gates)
    sys.stdout.write(report.FORMATS[arguments.format](result))
    written = patch.apply(settings.stack, result.recommendations) if arguments.apply else {}
    if arguments.publish:
        # Imported only here: the kubernetes client costs a dry run seconds and megabytes.
        from runtime.rightsizing import publish  # noqa: PLC0415

        publish.publish(
            result,
            report.as_markdown(result),
            publish.Target(
                name=settings.scope.deployment,
                namespace=settings.scope.namespace,
                configmap=settings.report_configmap,
                pushgateway=settings.pushgateway,
                kube=settings.kube,
            ),
        )
    log.info(
        "rightsize finished",
        extra={
            "event": "rightsized",
            "recommendations": len(result.recommendations),
            "queries": prometheus.queries,
            "applied": len(written),
            "dry_run": not arguments.apply,
            "published": arguments.publish,
        },
    )
    return 0
