"""`awx-runtime forks enforce`: keep AWX's fork limits at their declared values.

Every `--interval` seconds (or once, with `--once`) it runs a reconciliation pass
(reconcile.py) and serves its metrics on `--metrics-port` (9181; metrics.py). Failed passes
are logged and counted and the loop goes on: AWX restarting must not restart the enforcer.
With `--once` the exit status is 1 when any request failed. Settings: settings.py. Each
corrected drift is a `ForkLimitCorrected` Warning Event on the AWX resource (runtime/events.py):
someone or something keeps changing what the platform declares.
"""

import argparse
import signal
import threading
from types import FrameType

from runtime.awx_api import AwxApi
from runtime.events import awx_resource, recorder_for
from runtime.forks.metrics import ReconciliationMetrics, metrics_server
from runtime.forks.reconcile import Reconciler
from runtime.forks.settings import EnforcerConfig, read_config
from runtime.logs import log


def enforce_command(args: argparse.Namespace) -> int:
    config = read_config(args)
    metrics = ReconciliationMetrics(config.name, config.namespace)
    with AwxApi(
        config.url,
        config.credentials,
        timeout_seconds=config.timeout,
        ca_file=config.ca_file,
        retry=config.retry,
    ) as api:
        events = recorder_for(config.kube, config.namespace, on_failure=metrics.event_failed)
        awx = awx_resource(config.name, config.namespace)

        def corrected(note: str) -> None:
            events.record(awx, "ForkLimitCorrected", "Correct", note, warning=True)

        reconciler = Reconciler(api, config.limits, metrics, config.dry_run, corrected)
        if config.once:
            return 1 if reconciler.run_pass().errors else 0
        return _loop(config, reconciler, metrics)


def _loop(config: EnforcerConfig, reconciler: Reconciler, metrics: ReconciliationMetrics) -> int:
    stop = threading.Event()

    def request_stop(signum: int, _: FrameType | None) -> None:
        log.info("stopping", extra={"event": "stopping", "signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    # A pass may retry every request; it is stale only after several missed intervals.
    server = metrics_server(
        metrics, config.metrics_address, config.metrics_port, 3 * config.interval + 120
    )
    server.start()
    log.info(
        "serving metrics",
        extra={"event": "serving", "address": config.metrics_address, "port": server.port},
    )
    try:
        while not stop.is_set():
            reconciler.run_pass()
            stop.wait(config.interval)
    finally:
        server.stop()
    return 0
