"""Right-sizing: the weekly advisor CronJob in the cluster and what it may publish
(docs/rightsizing.md). The advisor itself is `awx-runtime rightsize` (runtime/rightsizing/)."""

from components.rightsizing.advisor_job import AwxRightsizing, AwxRightsizingArgs

__all__ = ["AwxRightsizing", "AwxRightsizingArgs"]
