"""A reverse HTTP proxy in front of an emulator that injects faults into chosen requests:
an error status with a body (S3 SlowDown, Azure ServerBusy, GCS 429), a dropped connection,
or a delay. Everything else is forwarded unchanged; Location headers are rewritten so
follow-up requests (GCS resumable sessions) come back through the proxy.

    with FaultyProxy(upstream_url) as proxy:
        proxy.add(Fault(method="PUT", status=503, body=SLOW_DOWN, times=2))
        ... point the store at proxy.url ...
        assert proxy.injected == 2
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
SERVER_BUSY = (
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code>'
    b"<Message>The server is currently unable to receive requests.</Message></Error>"
)
TOO_MANY_REQUESTS = b'{"error": {"code": 429, "message": "rateLimitExceeded"}}'


@dataclass
class Fault:
    method: str | None = None
    """Only requests with this method (None: any)."""
    path_contains: str = ""
    """Only requests whose path and query contain this."""
    status: int | None = 503
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    """Close the connection without answering (after reading the request)."""
    lose_answer: bool = False
    """Forward the request, then close the connection without passing the answer on."""
    delay: float = 0.0
    """Wait this long before answering (or forwarding when status is None)."""
    times: int = 1
    """How many matching requests get the fault; later ones pass."""
    when: Callable[[str, str, bytes], bool] | None = None
    """A further condition on (method, path, body)."""

    def matches(self, method: str, path: str, body: bytes) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and self.path_contains in path
            and (self.when is None or self.when(method, path, body))
        )


class FaultyProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.faults: list[Fault] = []
        self.injected = 0
        self.requests = 0
        self.paths: list[str] = []
        """Method and path of every request, in order."""
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = bytearray()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return bytes(data)
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _handle(self) -> None:
                body = self._body()
                fault = proxy._take(self.command, self.path, body)
                if fault is not None:
                    time.sleep(fault.delay)
                    if fault.lose_answer:
                        proxy.forward_only(self.command, self.path, body, dict(self.headers))
                    if fault.drop or fault.lose_answer:
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if fault.status is not None:
                        self.send_response(fault.status)
                        for name, value in fault.headers:
                            self.send_header(name, value)
                        self.send_header("Content-Length", str(len(fault.body)))
                        self.end_headers()
                        self.wfile.write(fault.body)
                        return
                self._forward(body)

            def _forward(self, body: bytes) -> None:
                upstream = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=120
                )
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in ("transfer-encoding", "connection", "content-length")
                }
                headers["Content-Length"] = str(len(body))
                try:
                    self._relay(upstream, body, headers)
                finally:
                    upstream.close()

            def _relay(
                self, upstream: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
            ) -> None:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() in ("transfer-encoding", "connection", "content-length"):
                        continue
                    if name.lower() == "location":
                        value = value.replace(  # noqa: PLW2901 - through the proxy
                            f"{proxy.upstream_host}:{proxy.upstream_port}",
                            f"127.0.0.1:{proxy.port}",
                        )
                    self.send_header(name, value)
                # A HEAD answer has no body but announces the object's length.
                length = response.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def forward_only(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        upstream = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            upstream.request(method, path, body=body, headers=headers)
            upstream.getresponse().read()
        finally:
            upstream.close()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take(self, method: str, path: str, body: bytes) -> Fault | None:
        with self._lock:
            self.requests += 1
            self.paths.append(f"{method} {path}")
            for fault in self.faults:
                if fault.matches(method, path, body):
                    fault.times -= 1
                    self.injected += 1
                    return fault
        return None

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
