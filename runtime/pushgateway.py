"""The one Pushgateway pusher: counters that keep counting across short-lived runs, and gauges.

A run (a backup pod, a guarded deploy) pushes with POST: only the metric names it sends are
replaced in its group. Counters must keep counting across runs, but each run starts from zero:
before pushing, the run reads the group's current values from the Pushgateway API
(/api/v1/metrics) and pushes previous + 1. Two runs of one group finishing in the same
instant could lose one increment (the backup lock, and a deploy's one-at-a-time CI
concurrency, make that impossible where it matters).

A group is the job plus its grouping labels (`name` and `namespace` for the backup jobs,
`stack` for deploys); every series carries the grouping labels too, so a query needs no
`job`. prometheus_client (~12 MB of memory) is imported only when a push happens, and the
current values are read with the standard library, so importing this module costs a backup
pod nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

STATUSES = ("success", "failure")
TIMEOUT_SECONDS = 10.0


@dataclass
class MetricsPusher:
    url: str
    job: str
    grouping: Mapping[str, str]
    _registry: CollectorRegistry = field(init=False)

    def __post_init__(self) -> None:
        from prometheus_client import CollectorRegistry  # noqa: PLC0415

        self._registry = CollectorRegistry()

    def _current(self, metric: str) -> dict[str, float]:
        """The group's current value of counter `metric` per status ({} if never pushed; a
        counter without a status label is under "")."""
        import urllib.request  # noqa: PLC0415  (with http.client and ssl: ~5 MB)

        address = f"{self.url.rstrip('/')}/api/v1/metrics"
        with urllib.request.urlopen(address, timeout=TIMEOUT_SECONDS) as response:
            groups = json.load(response).get("data", [])
        wanted = {"job": self.job, **self.grouping}
        values: dict[str, float] = {}
        for group in groups:
            labels = group.get("labels", {})
            if any(labels.get(key) != value for key, value in wanted.items()):
                continue
            family: dict[str, Any] = group.get(metric) or {}
            for sample in family.get("metrics", []):
                values[sample.get("labels", {}).get("status", "")] = float(sample["value"])
        return values

    def count(self, metric: str, help_text: str, status: str) -> None:
        """Add one to `<metric>_total{status}` on top of the Pushgateway's current value."""
        from prometheus_client import Counter  # noqa: PLC0415

        current = self._current(f"{metric}_total")
        counter = Counter(metric, help_text, [*self.grouping, "status"], registry=self._registry)
        for each in STATUSES:
            child = counter.labels(*self.grouping.values(), each)
            child.inc(current.get(each, 0.0) + (1 if each == status else 0))

    def add(self, metric: str, help_text: str, amount: int) -> None:
        """Add `amount` to `<metric>_total` (no status label) on top of its current value."""
        from prometheus_client import Counter  # noqa: PLC0415

        current = self._current(f"{metric}_total").get("", 0.0)
        counter = Counter(metric, help_text, list(self.grouping), registry=self._registry)
        counter.labels(*self.grouping.values()).inc(current + amount)

    def gauge(self, metric: str, help_text: str, value: float, **labels: str) -> None:
        from prometheus_client import Gauge  # noqa: PLC0415

        names = [*self.grouping, *labels]
        gauge = Gauge(metric, help_text, names, registry=self._registry)
        gauge.labels(*self.grouping.values(), *labels.values()).set(value)

    def push(self) -> None:
        from prometheus_client import pushadd_to_gateway  # noqa: PLC0415

        pushadd_to_gateway(
            self.url,
            job=self.job,
            registry=self._registry,
            grouping_key=dict(self.grouping),
            timeout=TIMEOUT_SECONDS,
        )
