"""How much history stands behind a recommendation, on a 0-1 scale.

The VPA recommender's confidence is min(days of history, samples / 1440): in effect the days
of data it has. Here it is the days in which the component reported at all (any of its pods,
at the one-minute resolution), over a week: full confidence after seven days of data, because
AWX load follows the working week (schedules, nightly and weekly jobs) and a shorter history
has not seen every day of it. Job pods come and go, so for them it is the number of jobs seen.
"""

from __future__ import annotations

from runtime.rightsizing.usage import ComponentUsage

FULL_CONFIDENCE_DAYS = 7.0
MINIMUM_POINTS = 100
"""KRR's minimum: fewer one-minute points than this say nothing (confidence 0)."""
FULL_CONFIDENCE_JOBS = 20
"""Job pods: the busiest of fewer jobs than this is not yet the busiest job there is."""


def confidence(usage: ComponentUsage) -> float:
    if usage.total("minutes") < MINIMUM_POINTS:
        return 0.0
    if usage.component == "job":
        return min(1.0, usage.pods / FULL_CONFIDENCE_JOBS)
    return min(1.0, usage.covered_minutes / 1440 / FULL_CONFIDENCE_DAYS)
