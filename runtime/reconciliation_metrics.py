"""The enforcer's metrics (names fixed by the monitoring contract) and the HTTP server for them.

- awx_reconciliation_total{name,namespace,event_type}: `pass` once per reconciliation pass;
  `max_forks`, `instance_group`, `job_template` once per drifted item (corrected, or only
  reported under --dry-run);
- awx_reconciliation_errors_total{name,namespace,error_type}: failed requests by kind (auth,
  forbidden, not_found, connection, rejected, read_only, server);
- awx_reconciliation_duration_seconds{name,namespace,event_type}: seconds per pass and per step.

/metrics serves them; /healthz answers 200 while passes keep completing (failed ones count:
the loop is alive) and 503 once none has for `stale_after` seconds.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

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
        self._last_pass = time.monotonic()

    def count(self, event_type: str) -> None:
        self._total.labels(**self._labels, event_type=event_type).inc()
        if event_type == "pass":
            self._last_pass = time.monotonic()

    def error(self, error_type: str) -> None:
        self._errors.labels(**self._labels, error_type=error_type).inc()

    def observe(self, event_type: str, seconds: float) -> None:
        self._duration.labels(**self._labels, event_type=event_type).observe(seconds)

    def seconds_since_last_pass(self) -> float:
        return time.monotonic() - self._last_pass


class MetricsServer:
    """Serves /metrics and /healthz in a background thread until stopped."""

    def __init__(
        self, metrics: ReconciliationMetrics, address: str, port: int, stale_after: float
    ) -> None:
        handler = _handler(metrics, stale_after)
        self._server = ThreadingHTTPServer((address, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler(metrics: ReconciliationMetrics, stale_after: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(metrics.registry), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                stale = metrics.seconds_since_last_pass() > stale_after
                self._send(503 if stale else 200, b"stale\n" if stale else b"ok\n")
            else:
                self._send(404, b"not found\n")

        def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Scrapes every few seconds would drown the JSON log.
            return

    return Handler
