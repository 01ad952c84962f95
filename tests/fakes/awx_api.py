"""A fake AWX REST API on 127.0.0.1, behaving like AWX 24 for the endpoints the platform uses.

    with FakeAwx.running() as awx:            # or FakeAwx(...).start() / .stop()
        awx.state.add_job_templates(100, forks=5)
        ... requests to awx.url ...
        awx.state.count("PATCH", "/api/v2/job_templates/")

What it mirrors (AWX's own rules and response shapes):
- every /api/v2/ path but /api/v2/ping/ needs auth: `Authorization: Bearer <token>` or basic
  auth; missing or wrong credentials are 401, a non-superuser (auditor) writing is 403, an
  unknown path or object is 404, all with `{"detail": ...}`;
- listings are paginated: `count`, `next`, `previous` (paths with the query, or null),
  `results`; `page_size` defaults to 25 and is capped at 200; a page past the end is 404
  "Invalid page."; `name`, `forks`, `forks__gt`, `forks__lt` filter, `order_by` sorts;
- /api/v2/settings/jobs/ holds MAX_FORKS (0 = unlimited); settings named in
  `read_only_settings` ignore writes, as AWX does for settings defined in settings.py;
- saving a job template with forks above MAX_FORKS is HTTP 400
  `{"forks": ["Maximum number of forks (N) exceeded."]}`;
- instance groups carry max_forks and max_concurrent_jobs (0 = no limit).

Every request is recorded (method, path, query) for request counting; `fail_next` makes the
next requests answer with a given status (e.g. 503) to exercise retries.
"""

import base64
import json
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

API = "/api/v2"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]


@dataclass
class AwxState:
    """What the fake AWX holds; tests read and change it directly (under `lock`)."""

    max_forks: int = 200
    tokens: dict[str, str] = field(default_factory=lambda: {"admin-token": "superuser"})
    """Bearer token -> role (`superuser` may write, `auditor` may only read)."""
    users: dict[tuple[str, str], str] = field(
        default_factory=lambda: {("admin", "admin-password"): "superuser"}
    )
    """(user, password) -> role, for basic auth."""
    read_only_settings: set[str] = field(default_factory=set)
    job_templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    instance_groups: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    failures: deque[int] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.instance_groups:
            self.add_instance_group("controlplane", max_forks=0, max_concurrent_jobs=0)
            self.add_instance_group("default", max_forks=0, max_concurrent_jobs=0)

    def add_instance_group(self, name: str, max_forks: int, max_concurrent_jobs: int) -> int:
        group_id = len(self.instance_groups) + 1
        self.instance_groups[group_id] = {
            "id": group_id,
            "type": "instance_group",
            "name": name,
            "max_forks": max_forks,
            "max_concurrent_jobs": max_concurrent_jobs,
            "is_container_group": name == "default",
        }
        return group_id

    def group(self, name: str) -> dict[str, Any]:
        return next(g for g in self.instance_groups.values() if g["name"] == name)

    def add_job_templates(self, count: int, forks: int = 0, prefix: str = "template") -> list[int]:
        """Add `count` templates (ids continue from the highest); returns their ids."""
        first = max(self.job_templates, default=0) + 1
        ids = list(range(first, first + count))
        for template_id in ids:
            self.job_templates[template_id] = {
                "id": template_id,
                "type": "job_template",
                "name": f"{prefix}-{template_id}",
                "forks": forks,
            }
        return ids

    def fail_next(self, status: int, times: int = 1) -> None:
        self.failures.extend([status] * times)

    def count(self, method: str | None = None, path_prefix: str = "") -> int:
        """Requests received, optionally of one method and under one path."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method) and r.path.startswith(path_prefix)
        )

    def templates_above(self, forks: int) -> list[int]:
        return sorted(t["id"] for t in self.job_templates.values() if t["forks"] > forks)


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _not_found() -> ApiError:
    return ApiError(404, {"detail": "Not found."})


class FakeAwx:
    """The fake served by a ThreadingHTTPServer on 127.0.0.1 and a free port."""

    def __init__(self, state: AwxState | None = None, tls: tuple[str, str] | None = None) -> None:
        """tls: (certificate file, key file) to serve HTTPS instead of HTTP."""
        self.state = state or AwxState()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._server.daemon_threads = True
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeAwx":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @classmethod
    @contextmanager
    def running(
        cls, state: AwxState | None = None, tls: tuple[str, str] | None = None
    ) -> Iterator["FakeAwx"]:
        fake = cls(state, tls).start()
        try:
            yield fake
        finally:
            fake.stop()


def _handler(state: AwxState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer("GET")

        def do_PATCH(self) -> None:
            self._answer("PATCH")

        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            with state.lock:
                state.requests.append(Recorded(method, parts.path, query))
                try:
                    if state.failures:
                        status = state.failures.popleft()
                        raise ApiError(status, {"detail": f"injected failure {status}"})
                    request = _Request(method, parts.path, query, raw, self._role())
                    body = _route(state, request)
                    status = 200
                except ApiError as error:
                    status, body = error.status, error.body
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _role(self) -> str | None:
            header = self.headers.get("Authorization", "")
            scheme, _, value = header.partition(" ")
            if scheme == "Bearer":
                return state.tokens.get(value)
            if scheme == "Basic":
                try:
                    user, _, password = base64.b64decode(value).decode().partition(":")
                except ValueError:
                    return None
                return state.users.get((user, password))
            return None

    return Handler


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: dict[str, str]
    raw: bytes
    role: str | None


def _route(state: AwxState, request: _Request) -> dict[str, Any]:
    method, path = request.method, request.path
    if path == f"{API}/ping/" and method == "GET":
        return {"ha": False, "version": "24.6.1", "active_node": "awx-task"}
    if not path.startswith(f"{API}/"):
        raise _not_found()
    if request.role is None:
        raise ApiError(401, {"detail": "Authentication credentials were not provided."})
    if method == "PATCH" and request.role != "superuser":
        raise ApiError(403, {"detail": "You do not have permission to perform this action."})
    body = _json(request.raw) if method == "PATCH" else {}
    resource = path[len(API) :].strip("/").split("/")
    if resource == ["settings", "jobs"]:
        return _settings(state, method, body)
    if resource[0] == "job_templates":
        return _collection(state, state.job_templates, resource, request, body)
    if resource[0] == "instance_groups":
        return _collection(state, state.instance_groups, resource, request, body)
    raise _not_found()


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(400, {"detail": "JSON parse error - Expecting value"}) from None
    if not isinstance(body, dict):
        raise ApiError(400, {"detail": "Invalid data. Expected a dictionary."})
    return body


def _settings(state: AwxState, method: str, body: dict[str, Any]) -> dict[str, Any]:
    if method == "PATCH" and "MAX_FORKS" in body:
        value = body["MAX_FORKS"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ApiError(400, {"MAX_FORKS": ["Ensure this value is greater than or equal to 0."]})
        if "MAX_FORKS" not in state.read_only_settings:
            state.max_forks = value
    return {"MAX_FORKS": state.max_forks, "DEFAULT_JOB_TIMEOUT": 0, "AWX_TASK_ENV": {}}


def _collection(
    state: AwxState,
    items: dict[int, dict[str, Any]],
    resource: list[str],
    request: _Request,
    body: dict[str, Any],
) -> dict[str, Any]:
    method = request.method
    if len(resource) == 1:
        if method != "GET":
            raise ApiError(405, {"detail": f'Method "{method}" not allowed.'})
        return _listing(resource[0], items, request.query)
    if len(resource) != 2 or not resource[1].isdigit() or int(resource[1]) not in items:
        raise _not_found()
    item = items[int(resource[1])]
    if method == "PATCH":
        _validate(state, resource[0], body)
        item.update({key: body[key] for key in body if key in item and key != "id"})
    return dict(item)


def _validate(state: AwxState, kind: str, body: dict[str, Any]) -> None:
    for key in ("forks", "max_forks", "max_concurrent_jobs"):
        value = body.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ApiError(400, {key: ["Ensure this value is greater than or equal to 0."]})
    forks = body.get("forks")
    if kind == "job_templates" and forks is not None and 0 < state.max_forks < forks:
        raise ApiError(400, {"forks": [f"Maximum number of forks ({state.max_forks}) exceeded."]})


FILTERS = {
    "forks": lambda item, value: item.get("forks") == int(value),
    "forks__gt": lambda item, value: item.get("forks", 0) > int(value),
    "forks__lt": lambda item, value: item.get("forks", 0) < int(value),
    "name": lambda item, value: item.get("name") == value,
}


def _listing(kind: str, items: dict[int, dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    try:
        size = min(int(query.get("page_size", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
        page = int(query.get("page", 1))
        if size < 1:
            raise ValueError(size)
        chosen = [
            item
            for item in items.values()
            if all(FILTERS[key](item, value) for key, value in query.items() if key in FILTERS)
        ]
    except ValueError:
        raise ApiError(400, {"detail": "Invalid page size or filter value."}) from None
    order = query.get("order_by", "id")
    chosen.sort(key=lambda item: item.get(order.lstrip("-"), 0), reverse=order.startswith("-"))
    pages = max(1, -(-len(chosen) // size))
    if page < 1 or page > pages:
        raise ApiError(404, {"detail": "Invalid page."})

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        return f"{API}/{kind}/?" + urlencode({**query, "page": number})

    return {
        "count": len(chosen),
        "next": link(page + 1),
        "previous": link(page - 1),
        "results": [dict(item) for item in chosen[(page - 1) * size : page * size]],
    }
