"""PromQL fragments the dashboards share: selectors per scrape target, rates and quantiles.

Windows are Grafana's `$__rate_interval` (at least four scrape intervals, so a rate never
looks at fewer than two samples) rather than fixed durations that break when someone changes
the scrape interval. Only the whole-range totals of the backup stats use `$__range`.
"""

from __future__ import annotations

from components.monitoring.dashboards.model import Query
from components.monitoring.targets import (
    JOB_AWX,
    JOB_ENFORCER,
    JOB_EXPORTER,
    JOB_KUBE_STATE_METRICS,
    JOB_KUBELET,
    MonitoringTargets,
)

RATE_INTERVAL = "$__rate_interval"
RANGE = "$__range"
PERCENTILES = (0.5, 0.95, 0.99)


def eq(label: str, value: str) -> str:
    """An exact label matcher with the value quoted for PromQL."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{label}="{escaped}"'


def series(metric: str, *matchers: str) -> str:
    return f"{metric}{{{', '.join(matchers)}}}" if matchers else metric


def rate(selector: str) -> str:
    return f"rate({selector}[{RATE_INTERVAL}])"


def increase(selector: str, window: str = RATE_INTERVAL) -> str:
    return f"increase({selector}[{window}])"


def quantile(q: float, bucket_selector: str, by: tuple[str, ...] = ()) -> str:
    labels = ", ".join(("le", *by))
    return f"histogram_quantile({q}, sum by ({labels}) ({rate(bucket_selector)}))"


def percentile_queries(bucket_selector: str, by: tuple[str, ...] = ()) -> tuple[Query, ...]:
    """P50, P95 and P99 of a histogram, one query each."""
    suffix = "".join(f" {{{{{label}}}}}" for label in by)
    return tuple(
        Query(quantile(q, bucket_selector, by), legend=f"p{round(q * 100)}{suffix}")
        for q in PERCENTILES
    )


class Scope:
    """Label matchers that pick one AWX deployment's series from each scrape job."""

    def __init__(self, targets: MonitoringTargets) -> None:
        self.targets = targets
        self.namespace = eq("namespace", targets.namespace)
        self.name = eq("name", targets.instance)

    def awx(self, metric: str, *extra: str) -> str:
        """AWX's own /api/v2/metrics/ (every web pod serves the same DB-wide values)."""
        return series(metric, eq("job", JOB_AWX), self.namespace, *extra)

    def exporter(self, metric: str, *extra: str) -> str:
        return series(metric, eq("job", JOB_EXPORTER), self.namespace, self.name, *extra)

    def enforcer(self, metric: str, *extra: str) -> str:
        return series(metric, eq("job", JOB_ENFORCER), self.namespace, self.name, *extra)

    def pushed(self, metric: str, *extra: str) -> str:
        """Backup, restore and drill metrics from the Pushgateway.

        No `job` matcher: the Pushgateway is scraped with honorLabels, so these series keep the
        job their pusher set (awx-backup, awx-restore, awx-restore-drill), not JOB_PUSHGATEWAY.
        """
        return series(metric, self.namespace, self.name, *extra)

    def recorded(self, metric: str, *extra: str) -> str:
        """A recording rule of the monitoring contract (awx:...), which keeps `namespace`."""
        return series(metric, self.namespace, *extra)

    def kube_state(self, metric: str, *extra: str) -> str:
        return series(metric, eq("job", JOB_KUBE_STATE_METRICS), self.namespace, *extra)

    def kubelet(self, metric: str, *extra: str) -> str:
        """cAdvisor's container metrics, scraped through the kubelet."""
        return series(metric, eq("job", JOB_KUBELET), self.namespace, *extra)
