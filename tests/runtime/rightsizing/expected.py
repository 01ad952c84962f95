"""What the advisor should find, computed here from the generated samples, independently of
Prometheus: the same definitions (rate() with its extrapolation, quantile_over_time's linear
interpolation, inclusive windows, one-minute subquery steps), written out in Python."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from tests.runtime.rightsizing.history import END, History, Series

WINDOW = 14 * 86400
STEP = 60
RATE_RANGE = 300


def quantile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    weight = rank - low
    return ordered[low] * (1 - weight) + ordered[high] * weight


def _in(series: Series, low: int, high: int) -> list[tuple[int, float]]:
    """Samples with low <= t <= high (Prometheus 2.x range selectors include both ends)."""
    first = max(0, math.ceil((low - series.start) / series.step))
    last = min(len(series.values) - 1, math.floor((high - series.start) / series.step))
    return [(series.start + i * series.step, series.values[i]) for i in range(first, last + 1)]


def rate(series: Series, at: int) -> float | None:
    """rate(x[5m]) at `at`, as promql/functions.go extrapolatedRate computes it."""
    points = _in(series, at - RATE_RANGE, at)
    if len(points) < 2:
        return None
    (first_t, first_v), (last_t, last_v) = points[0], points[-1]
    result = last_v - first_v
    to_start, to_end = first_t - (at - RATE_RANGE), at - last_t
    sampled = last_t - first_t
    average = sampled / (len(points) - 1)
    if result > 0 and first_v >= 0:
        to_start = min(to_start, sampled * (first_v / result))
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    return result * (interval / sampled) / RATE_RANGE


def steps(window: int = WINDOW, end: int = END) -> range:
    start = math.ceil((end - window) / STEP) * STEP
    return range(start, end + 1, STEP)


def rates(series: Series, window: int = WINDOW) -> list[float]:
    found = (rate(series, t) for t in steps(window))
    return [value for value in found if value is not None]


def raw(series: Series, window: int = WINDOW) -> list[float]:
    return [value for _, value in _in(series, END - window, END)]


def busiest(
    history: History, name: str, statistic: Callable[[Series], float], **labels: str
) -> float:
    """Max over the matching series (pods) of a per-series statistic."""
    return max(statistic(series) for series in history.find(name, **labels))


def cpu_p95(history: History, **labels: str) -> float:
    return busiest(
        history,
        "container_cpu_usage_seconds_total",
        lambda s: quantile(rates(s), 0.95),
        **labels,
    )


def cpu_max(history: History, **labels: str) -> float:
    return busiest(history, "container_cpu_usage_seconds_total", lambda s: max(rates(s)), **labels)


def memory_p95(history: History, **labels: str) -> float:
    return busiest(
        history,
        "container_memory_working_set_bytes",
        lambda s: quantile(raw(s), 0.95),
        **labels,
    )


def memory_max(history: History, **labels: str) -> float:
    return busiest(history, "container_memory_working_set_bytes", lambda s: max(raw(s)), **labels)


def across_pods(
    series: list[Series], per_step: Callable[[Series, int], float | None], combine: str
) -> list[float]:
    """Per subquery step, the average or sum over the pods present (as avg()/sum() do)."""
    found = []
    for t in steps():
        values = [v for v in (per_step(s, t) for s in series) if v is not None]
        if values:
            found.append(sum(values) / len(values) if combine == "avg" else sum(values))
    return found


def latest(series: Series, at: int) -> float | None:
    """An instant selector's value at `at`: the newest sample at most 5 minutes old."""
    points = _in(series, at - 300, at)
    return points[-1][1] if points else None
