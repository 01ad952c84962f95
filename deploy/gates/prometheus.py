"""Gate: PromQL queries that must return nothing (a critical alert firing, an SLO fast burn),
asked of the Prometheus deploy.health.prometheus_url names through the runtime's one
Prometheus client. A configured Prometheus that cannot answer fails the gate: the deploy
cannot tell that nothing is firing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from deploy.gates import GateResult, failed, passed
from runtime.errors import AwxRuntimeError
from runtime.prometheus_api import Prometheus, Sample

NAME = "prometheus"
SHOWN_SERIES = 3


def describe(query: str, samples: Sequence[Sample]) -> str:
    shown = ", ".join(
        "{" + ", ".join(f"{k}={v!r}" for k, v in sorted(s.labels.items())) + "}"
        for s in samples[:SHOWN_SERIES]
    )
    more = f" and {len(samples) - SHOWN_SERIES} more" if len(samples) > SHOWN_SERIES else ""
    return f"{query} returned {len(samples)} series: {shown}{more}"


@dataclass
class PrometheusGate:
    url: str
    queries: Sequence[str]
    name: str = NAME
    once: bool = False

    def check(self) -> GateResult:
        prometheus = Prometheus(self.url, timeout=10.0)
        try:
            at = time.time()
            found = [(q, prometheus.query(q, at)) for q in self.queries]
        except AwxRuntimeError as error:
            return failed(NAME, str(error))
        finally:
            prometheus.close()
        problems = [describe(query, samples) for query, samples in found if samples]
        if problems:
            return failed(NAME, "; ".join(problems))
        return passed(NAME, f"{len(self.queries)} queries empty at {self.url}")
