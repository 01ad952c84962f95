"""The one client for AWX's REST API (/api/v2/): auth, bounded retries, pagination, clear errors.

Used by the fork enforcer (runtime/forks/) and the exporter's AWX checks
(runtime/exporter/health/awx_checks.py).

    with AwxApi(url, Credentials(token=...), timeout_seconds=10, retry=RetryPolicy(...)) as api:
        api.get("/api/v2/settings/jobs/")          # -> dict
        api.patch("/api/v2/job_templates/4/", {"forks": 20})
        for item in api.pages("/api/v2/job_templates/", {"forks__gt": 20}): ...

TLS is verified (a custom CA bundle can be given); authentication is an OAuth2 token (Bearer),
basic auth, or none (`credentials=None`: /api/v2/ping/). Transient failures (connection
errors, timeouts, 429, 502, 503, 504) are retried under runtime/retry.py's policy (plain
doubling by default, `retry_policy()`); everything else fails at once with an `AwxApiError`
whose message is one line naming the URL and what to check, and whose fields (`method`, `path`,
`status`, `kind`, `reason`) let a caller phrase it its own way. `observe`, when given, is told
of every request sent: (endpoint path, HTTP status or None when no response came, seconds).
"""

import ssl
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from runtime.errors import AwxRuntimeError
from runtime.retry import RetryPolicy, TransientError, with_retries

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
PAGE_SIZE = 200
"""AWX's largest page size (MAX_PAGE_SIZE)."""
Observer = Callable[[str, int | None, float], None]


class AwxApiError(AwxRuntimeError):
    """A request to AWX failed; `kind` says how (auth, forbidden, not_found, connection, ...)."""

    def __init__(
        self,
        message: str,
        kind: str,
        status: int | None = None,
        *,
        method: str = "GET",
        path: str = "",
        reason: str = "",
    ) -> None:
        super().__init__(message, kind=kind)
        self.status = status
        self.method = method
        self.path = path
        """As the caller asked for it (relative to the base URL, query included)."""
        self.reason = reason
        """Why no usable answer came, without the advice: the transport error, or the body."""


@dataclass(frozen=True)
class Credentials:
    """A token, or a user name and password; exactly one of the two forms."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    def apply(self) -> tuple[dict[str, str], httpx.BasicAuth | None]:
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token}"}, None
        return {}, httpx.BasicAuth(self.username or "", self.password or "")


def retry_policy(attempts: int = 4, backoff_seconds: float = 0.5) -> RetryPolicy:
    """The AWX client's default: `attempts` tries, waiting backoff, 2x, 4x ... (no jitter)."""
    return RetryPolicy(attempts, backoff_seconds, max_delay=float("inf"), jitter=False)


class AwxApi:
    """Requests to one AWX; counts what it sends (`requests_sent`)."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        timeout_seconds: float = 10.0,
        ca_file: str | None = None,
        retry: RetryPolicy | None = None,
        observe: Observer | None = None,
    ) -> None:
        headers, auth = credentials.apply() if credentials is not None else ({}, None)
        self._base_url = base_url.rstrip("/")
        self._retry = retry or retry_policy()
        self._observe = observe
        self._client = httpx.Client(
            base_url=self._base_url,
            headers={"Accept": "application/json", **headers},
            auth=auth,
            timeout=timeout_seconds,
            verify=ssl.create_default_context(cafile=ca_file) if ca_file else True,
            follow_redirects=False,
        )
        self.requests_sent = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "AwxApi":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> dict[str, Any]:
        return self._request("GET", path, params=params)

    def patch(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._request("PATCH", path, json=dict(body))

    def pages(
        self, path: str, params: Mapping[str, str | int] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated listing, following `next` until it is null."""
        page = self.get(path, {**(params or {}), "page_size": PAGE_SIZE})
        while True:
            yield from page.get("results", [])
            following = page.get("next")
            if not following:
                return
            page = self.get(str(following))

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self._base_url}{path}" if path.startswith("/") else path
        attempts = self._retry.attempts

        def attempt() -> dict[str, Any]:
            response = self._send(method, path, url, attempts, **kwargs)
            if response.status_code in TRANSIENT_STATUSES:
                final = _failure(method, path, url, response)
                raise TransientError(str(response.status_code), final=final)
            if response.status_code >= 300:
                raise _failure(method, path, url, response)
            return _body(method, path, url, response)

        return with_retries(self._retry, f"{method} {url}", attempt)

    def _send(
        self, method: str, path: str, url: str, attempts: int, **kwargs: Any
    ) -> httpx.Response:
        self.requests_sent += 1
        status: int | None = None
        started = time.monotonic()
        try:
            response = self._client.request(method, url, **kwargs)
            status = response.status_code
            return response
        except httpx.TransportError as error:
            final = AwxApiError(
                f"cannot reach AWX at {url} after {attempts} tries ({_reason(error)}); "
                "check AWX_API_URL and that the AWX web service is up",
                kind="connection",
                method=method,
                path=path,
                reason=_reason(error),
            )
            raise TransientError(_reason(error), final=final) from error
        finally:
            if self._observe is not None:
                endpoint = urllib.parse.urlsplit(path).path
                self._observe(endpoint, status, time.monotonic() - started)


def _reason(error: httpx.TransportError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _body(method: str, path: str, url: str, response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        raise AwxApiError(
            f"AWX answered {method} {url} with a body that is not JSON; check AWX_API_URL",
            kind="invalid",
            status=response.status_code,
            method=method,
            path=path,
            reason="not JSON",
        ) from None
    return body if isinstance(body, dict) else {"results": body}


def _failure(method: str, path: str, url: str, response: httpx.Response) -> AwxApiError:
    status = response.status_code
    where = f"{method} {url}"
    detail = _detail(response)
    if status == 401:
        message = (
            f"AWX refused the credentials for {where} (401: {detail}); check AWX_TOKEN or "
            "AWX_USERNAME/AWX_PASSWORD"
        )
        kind = "auth"
    elif status == 403:
        message = f"AWX forbids {where} (403: {detail}); the user or token needs superuser rights"
        kind = "forbidden"
    elif status == 404:
        message = f"AWX has no {url} (404: {detail}); check AWX_API_URL and the object's name"
        kind = "not_found"
    elif status == 400:
        message, kind = f"AWX rejected {where} (400: {detail})", "rejected"
    else:
        message, kind = f"AWX failed {where} ({status}: {detail})", "server"
    return AwxApiError(message, kind, status, method=method, path=path, reason=detail)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    if isinstance(body, dict):
        return "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in body.items()
        )
    return str(body)
