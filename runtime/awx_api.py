"""A small client for AWX's REST API (/api/v2/): auth, bounded retries, pagination, clear errors.

TLS is verified (a custom CA bundle can be given); authentication is an OAuth2 token (Bearer)
or basic auth. Transient failures (connection errors, timeouts, 429, 502, 503, 504) are retried
a bounded number of times with exponential backoff; everything else fails at once with one line
naming the URL and what to check.
"""

import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from runtime.errors import AwxRuntimeError

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
PAGE_SIZE = 200
"""AWX's largest page size (MAX_PAGE_SIZE)."""


class AwxApiError(AwxRuntimeError):
    """A request to AWX failed; `kind` says how (auth, forbidden, not_found, connection, ...)."""

    def __init__(self, message: str, kind: str, status: int | None = None) -> None:
        super().__init__(message, kind=kind)
        self.status = status


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


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    """Tries per request, the first included."""
    backoff_seconds: float = 0.5
    """Wait before the second try; doubled before each further one."""


class AwxApi:
    """Requests to one AWX; counts what it sends (`requests_sent`)."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout_seconds: float = 10.0,
        ca_file: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        headers, auth = credentials.apply()
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
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

    def pages(self, path: str, params: Mapping[str, str | int]) -> Iterator[dict[str, Any]]:
        """Every item of a paginated listing, following `next` until it is null."""
        page = self.get(path, {**params, "page_size": PAGE_SIZE})
        while True:
            yield from page.get("results", [])
            following = page.get("next")
            if not following:
                return
            page = self.get(str(following))

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self._base_url}{path}" if path.startswith("/") else path
        for attempt in range(1, self._retry.attempts + 1):
            last = attempt == self._retry.attempts
            self.requests_sent += 1
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.TransportError as error:
                if last:
                    raise AwxApiError(
                        f"cannot reach AWX at {url} after {attempt} tries ({_reason(error)}); "
                        "check AWX_API_URL and that the AWX web service is up",
                        kind="connection",
                    ) from error
            else:
                if response.status_code not in TRANSIENT_STATUSES or last:
                    return _result(method, url, response)
            time.sleep(self._retry.backoff_seconds * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns or raises")


def _reason(error: httpx.TransportError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _result(method: str, url: str, response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if status < 300:
        body = response.json() if response.content else {}
        return body if isinstance(body, dict) else {"results": body}
    where = f"{method} {url}"
    detail = _detail(response)
    if status == 401:
        raise AwxApiError(
            f"AWX refused the credentials for {where} (401: {detail}); check AWX_TOKEN or "
            "AWX_USERNAME/AWX_PASSWORD",
            kind="auth",
            status=status,
        )
    if status == 403:
        raise AwxApiError(
            f"AWX forbids {where} (403: {detail}); the user or token needs superuser rights",
            kind="forbidden",
            status=status,
        )
    if status == 404:
        raise AwxApiError(
            f"AWX has no {url} (404: {detail}); check AWX_API_URL and the object's name",
            kind="not_found",
            status=status,
        )
    if status == 400:
        raise AwxApiError(f"AWX rejected {where} (400: {detail})", kind="rejected", status=status)
    raise AwxApiError(f"AWX failed {where} ({status}: {detail})", kind="server", status=status)


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
