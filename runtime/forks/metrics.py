"""The enforcer's metrics (names fixed by the monitoring contract) and what serves them.

- awx_reconciliation_total{name,namespace,event_type}: `pass` once per reconciliation pass;
  `max_forks`, `instance_group`, `job_template` once per drifted item (corrected, or only
  reported under --dry-run);
- awx_reconciliation_errors_total{name,namespace,error_type}: failed requests by kind (auth,
  forbidden, not_found, connection, rejected, read_only, server);
- awx_reconciliation_duration_seconds{name,namespace,event_type}: seconds per pass and per step.

/metrics serves them; /healthz answers 200 while passes keep completing (failed ones count:
the loop is alive) and 503 once none has for `stale_after` seconds.
"""

import time

from prometheus_client import CollectorRegistry, Counter, Histogram

from runtime.http_server import HttpServer, Reply, metrics_route

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class ReconciliationMetrics:
    def __init__(self, name: str, namespace: str) -> None:
        self.registry = CollectorRegistry()
        self._labels = {"name": name, "namespace": namespace}
        labels = ("name", "namespace")
        self._total = Counter(
            "awx_reconciliation_total",
            "Reconciliation passes and drifted items, by event type.",
            (*labels, "event_type"),
            registry=self.registry,
        )
        self._errors = Counter(
            "awx_reconciliation_errors_total",
            "Failed AWX API requests of the fork enforcer, by error type.",
            (*labels, "error_type"),
            registry=self.registry,
        )
        self._duration = Histogram(
            "awx_reconciliation_duration_seconds",
            "Seconds a reconciliation pass, or one of its steps, took.",
            (*labels, "event_type"),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._events_failed = Counter(
            "awx_runtime_events_failed",
            "Kubernetes Events (ForkLimitCorrected) the enforcer could not record.",
            labels,
            registry=self.registry,
        )
        self._last_pass = time.monotonic()

    def count(self, event_type: str) -> None:
        self._total.labels(**self._labels, event_type=event_type).inc()
        if event_type == "pass":
            self._last_pass = time.monotonic()

    def error(self, error_type: str) -> None:
        self._errors.labels(**self._labels, error_type=error_type).inc()

    def event_failed(self) -> None:
        self._events_failed.labels(**self._labels).inc()

    def observe(self, event_type: str, seconds: float) -> None:
        self._duration.labels(**self._labels, event_type=event_type).observe(seconds)

    def seconds_since_last_pass(self) -> float:
        return time.monotonic() - self._last_pass


def metrics_server(
    metrics: ReconciliationMetrics, address: str, port: int, stale_after: float
) -> HttpServer:
    """/metrics, and /healthz that answers 503 once no pass completed for `stale_after` s."""

    def healthz() -> Reply:
        stale = metrics.seconds_since_last_pass() > stale_after
        return Reply(503, b"stale\n") if stale else Reply(200, b"ok\n")

    return HttpServer(
        {"/metrics": metrics_route(metrics.registry), "/healthz": healthz}, address, port
    )
