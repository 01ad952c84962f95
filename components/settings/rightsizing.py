"""The `rightsizing` section: the weekly advisor CronJob, its gates and its price table
(docs/rightsizing.md). The advisor itself reads `protected` and `prices` from the stack file."""

from typing import Literal

from pydantic import Field

from components.settings.base import CronSchedule, PrometheusDuration, Section

Component = Literal["task", "web", "ee", "redis", "rsyslog", "init", "postgres", "job"]


class RightsizingPrices(Section):
    """Per hour; the defaults are OpenCost's list prices (GCP us-central1)."""

    cpu: float = Field(default=0.031611, gt=0)
    """Price of one vCPU-hour."""
    memory: float = Field(default=0.004237, gt=0)
    """Price of one GiB-hour of memory."""
    spot_cpu: float = Field(default=0.006655, gt=0)
    """Price of one vCPU-hour on spot nodes (job pods placed there)."""
    spot_memory: float = Field(default=0.000892, gt=0)
    """Price of one GiB-hour on spot nodes."""


class RightsizingSettings(Section):
    enabled: bool = False
    """Run the right-sizing advisor weekly in the cluster (CronJob `<awx.name>-rightsizing`,
    dry run): it publishes its recommendations as metrics, a ConfigMap with the markdown report
    and an Event. Needs monitoring (Prometheus with cAdvisor and kube-state-metrics)."""
    schedule: CronSchedule = "0 6 * * 1"
    """When the advisor runs (cron; default Mondays 06:00 in the cluster's time zone)."""
    window: PrometheusDuration = "14d"
    """History the advisor reads."""
    min_confidence: float = Field(default=0.7, ge=0, le=1)
    """Gate: recommendations with less confidence are held back."""
    max_risk: Literal["low", "medium", "high", "critical"] = "medium"
    """Gate: recommendations with a higher risk are held back."""
    max_change_percent: int = Field(default=50, ge=1, le=1000)
    """Gate: the largest change of one value in one run, in percent (larger ones are capped)."""
    protected: list[Component] = ["postgres"]
    """Components the advisor never changes."""
    prices: RightsizingPrices = RightsizingPrices()
    """Price table of the monthly savings."""
