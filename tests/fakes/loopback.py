"""A JSON HTTP server on 127.0.0.1 in a background thread, for fakes of real APIs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# A route answers (status, body); body is JSON-encoded unless it is already bytes.
Route = Callable[[str, dict[str, list[str]], dict[str, str]], tuple[int, Any]]
# A write route answers POST/PUT: (method, path, JSON body) -> (status, JSON body).
WriteRoute = Callable[[str, str, Any], tuple[int, Any]]


class LoopbackServer:
    def __init__(self, route: Route, write_route: WriteRoute | None = None) -> None:
        self._route = route
        self._write_route = write_route
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        route = self._route
        write_route = self._write_route

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = route(parts.path, parse_qs(parts.query), dict(self.headers))
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                kind = (
                    "text/plain; version=0.0.4" if isinstance(body, bytes) else "application/json"
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first (a deliberately slow answer): nothing to send to.
                    return

            def _write(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                if write_route is None:
                    status, answer = 405, {"message": f"{method} not served"}
                else:
                    status, answer = write_route(method, urlsplit(self.path).path, body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                self._write("POST")

            def do_PUT(self) -> None:
                self._write("PUT")

            def log_message(self, format: str, *args: Any) -> None:
                return

        # Reuse the port across stop/start so a test can take a service down and back up.
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
