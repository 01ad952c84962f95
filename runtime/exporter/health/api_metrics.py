"""Counts and times every request the AWX checks send: the exporter's view of AWX's API.

`awx_api_requests_total{endpoint,code}` and the histogram `awx_api_request_duration_seconds
{endpoint}` feed the API availability SLO and the AWXApiErrorRateHigh / AWXApiLatencyHigh
alerts. `code` is the HTTP status, or `none` when no response arrived (refused, reset, timed
out): for an availability objective an unreachable API is an error like a 5xx.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

NO_RESPONSE = "none"
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
"""Seconds; checks have a one-second deadline, so most of the resolution sits below it."""


class ApiRequestMetrics:
    """Thread-safe: each check runs on its own thread."""

    def __init__(self, buckets: Sequence[float] = BUCKETS) -> None:
        self._buckets = tuple(buckets)
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str], int] = {}
        self._bucket_counts: dict[str, list[int]] = {}
        self._sums: dict[str, float] = {}

    def observe(self, endpoint: str, code: str, seconds: float) -> None:
        with self._lock:
            key = (endpoint, code)
            self._requests[key] = self._requests.get(key, 0) + 1
            counts = self._bucket_counts.setdefault(endpoint, [0] * (len(self._buckets) + 1))
            # Buckets are upper bounds (le): a value equal to a bound belongs to that bucket.
            counts[bisect_left(self._buckets, seconds)] += 1
            self._sums[endpoint] = self._sums.get(endpoint, 0.0) + seconds

    def observe_response(self, endpoint: str, status: int | None, seconds: float) -> None:
        """The AWX client's observer (runtime/awx_api.py): status None is no response."""
        self.observe(endpoint, NO_RESPONSE if status is None else str(status), seconds)

    def collect(self, identity: Sequence[str]) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "awx_api_requests",
            "Requests the exporter's checks sent to AWX's API, by endpoint and HTTP status "
            f"('{NO_RESPONSE}': no response).",
            labels=["name", "namespace", "endpoint", "code"],
        )
        durations = HistogramMetricFamily(
            "awx_api_request_duration_seconds",
            "Duration of the exporter's requests to AWX's API, responses and failures alike.",
            labels=["name", "namespace", "endpoint"],
        )
        with self._lock:
            for (endpoint, code), count in sorted(self._requests.items()):
                requests.add_metric([*identity, endpoint, code], count)
            for endpoint, counts in sorted(self._bucket_counts.items()):
                cumulative, buckets = 0, []
                for bound, count in zip((*self._buckets, float("inf")), counts, strict=True):
                    cumulative += count
                    buckets.append((_bound(bound), cumulative))
                durations.add_metric([*identity, endpoint], buckets, self._sums[endpoint])
        yield requests
        yield durations


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)
