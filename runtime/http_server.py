"""The one HTTP server of the runtime: /metrics, /healthz and whatever else a command serves.

A command gives it a table of GET routes, each a no-argument callable returning a `Reply`; any
other path answers 404. Requests are served on threads, never logged (scrapes and probes every
few seconds would drown the JSON log), and the query string is ignored.

    server = HttpServer(
        {"/metrics": metrics_route(registry), "/healthz": lambda: Reply(200, b"ok\\n")},
        address,
        port,
    )                       # bound here: OSError when the port is taken
    server.start()          # serve on a background thread ...
    server.stop()           # ... until stopped (shutdown, close, join)
    server.serve_forever()  # or on the calling thread, until shutdown() from another one

Used by `forks enforce` (runtime/forks/enforce.py) and the exporter (runtime/exporter/serve.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = TEXT


Route = Callable[[], Reply]
NOT_FOUND = Reply(404, b"not found\n")


def json_reply(status: int, document: Mapping[str, Any]) -> Reply:
    return Reply(status, json.dumps(document).encode(), "application/json")


def metrics_route(registry: CollectorRegistry) -> Route:
    """/metrics: the registry in Prometheus' text format, rendered at scrape time."""
    return lambda: Reply(200, generate_latest(registry), CONTENT_TYPE_LATEST)


class HttpServer:
    def __init__(
        self,
        routes: Mapping[str, Route],
        address: str,
        port: int,
        server_version: str = "awx-runtime",
    ) -> None:
        self._server = ThreadingHTTPServer((address, port), _handler(dict(routes), server_version))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (the one picked when 0 was asked for)."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def serve_forever(self) -> None:
        """Serve on this thread until `shutdown()` (which must come from another thread)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def shutdown(self) -> None:
        self._server.shutdown()


def _handler(routes: dict[str, Route], version: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = version

        def do_GET(self) -> None:
            route = routes.get(self.path.split("?", 1)[0])
            reply = route() if route is not None else NOT_FOUND
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
