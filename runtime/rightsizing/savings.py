"""Monthly savings of a recommendation from a price table: requests are what a node reserves,
so they are what a cluster pays for (limits cost nothing until used). Positive saves."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.rightsizing.model import Recommendation

HOURS_PER_MONTH = 730.0
GIB = float(1 << 30)


@dataclass(frozen=True)
class Prices:
    """Per hour; the defaults are OpenCost's list prices (GCP us-central1)."""

    cpu: float = 0.031611
    """Per vCPU-hour."""
    memory: float = 0.004237
    """Per GiB-hour."""
    spot_cpu: float = 0.006655
    spot_memory: float = 0.000892


def monthly(recommendation: Recommendation, pods: float, prices: Prices, spot: bool) -> float:
    """Savings of a request change over `pods` pods on average; 0 for limits and counts."""
    if recommendation.kind != "request":
        return 0.0
    delta = recommendation.current_value - recommendation.recommended_value
    if recommendation.resource == "cpu":
        rate = prices.spot_cpu if spot else prices.cpu
    else:
        rate, delta = (prices.spot_memory if spot else prices.memory), delta / GIB
    return delta * rate * pods * HOURS_PER_MONTH
