"""The one Prometheus HTTP API client of the project, instant queries only: every statistic
the right-sizing advisor needs is a function over a range vector or subquery, so Prometheus
does the reduction and a reply holds one value per pod and container instead of a 14-day
series; a guarded deploy's Prometheus gate (deploy/gates/prometheus.py) asks the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from runtime.errors import AwxRuntimeError


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass
class Prometheus:
    url: str
    timeout: float = 60.0
    queries: int = 0
    """HTTP queries sent; the bench reports it beside a per-container loop's count."""
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self._client = httpx.Client(timeout=self.timeout)

    def close(self) -> None:
        self._client.close()

    def query(self, promql: str, at: float) -> list[Sample]:
        """Evaluate an instant query at `at` (unix seconds); failures name the URL."""
        self.queries += 1
        endpoint = f"{self.url}/api/v1/query"
        try:
            response = self._client.post(endpoint, data={"query": promql, "time": f"{at:.3f}"})
        except httpx.HTTPError as error:
            raise AwxRuntimeError(
                f"Prometheus at {self.url} is unreachable: {error}", kind="prometheus"
            ) from None
        body = _json(response)
        if response.status_code != 200 or body.get("status") != "success":
            detail = body.get("error") or response.text[:200]
            raise AwxRuntimeError(
                f"Prometheus at {self.url} refused a query (HTTP {response.status_code}): {detail}",
                kind="prometheus",
            )
        data = body.get("data") or {}
        if data.get("resultType") != "vector":
            raise AwxRuntimeError(
                f"Prometheus at {self.url} answered {data.get('resultType')!r}, not a vector",
                kind="prometheus",
            )
        return [Sample(dict(item["metric"]), float(item["value"][1])) for item in data["result"]]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
