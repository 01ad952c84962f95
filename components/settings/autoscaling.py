"""The `autoscaling` section: task-pod scaling and the fork budget that keeps jobs in memory."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.base import FieldError, Section


class AutoscalingSettings(Section):
    enabled: bool = True
    """Scale task pods with a HorizontalPodAutoscaler (the operator stops managing their count)."""
    min_task_replicas: int = Field(default=2, ge=1, le=100)
    """Fewest task pods."""
    max_task_replicas: int = Field(default=10, ge=1, le=100)
    """Most task pods."""
    target_cpu_utilization: int = Field(default=70, ge=1, le=100)
    """Average task-pod CPU use, in percent of the CPU request, that the HPA aims for."""
    target_memory_utilization: int = Field(default=80, ge=1, le=100)
    """Average task-pod memory use, in percent of the memory request, that the HPA aims for."""
    max_forks_per_task: int = Field(default=50, ge=1, le=10000)
    """Largest fork count one job may use (AWX MAX_FORKS); larger job templates are refused."""
    max_total_forks: int = Field(default=200, ge=1, le=100000)
    """Fork budget of the `default` instance group (DEFAULT_EXECUTION_QUEUE_MAX_FORKS);
    jobs beyond it wait in pending instead of overloading the cluster."""
    cooldown_period_seconds: int = Field(default=300, ge=0, le=3600)
    """Scale-down stabilization window: task pods are removed at most one per period."""
    scale_up_threshold: int = Field(default=80, ge=1, le=100)
    """Control-capacity use, in percent, above which queue-aware scaling adds task pods."""
    scale_down_threshold: int = Field(default=30, ge=0, le=99)
    """Control-capacity use, in percent, below which queue-aware scaling removes task pods."""
    queue_metric: bool = False
    """Scale on AWX's pending jobs and capacity through KEDA instead of CPU and memory alone."""

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Self:
        if self.min_task_replicas > self.max_task_replicas:
            raise FieldError(
                "max_task_replicas",
                f"must be at least min_task_replicas ({self.min_task_replicas}); "
                f"got {self.max_task_replicas}",
            )
        if self.max_forks_per_task > self.max_total_forks:
            raise FieldError(
                "max_forks_per_task",
                f"must not exceed max_total_forks ({self.max_total_forks}); "
                f"got {self.max_forks_per_task}",
            )
        if self.scale_down_threshold >= self.scale_up_threshold:
            raise FieldError(
                "scale_down_threshold",
                f"must be below scale_up_threshold ({self.scale_up_threshold}); "
                f"got {self.scale_down_threshold}",
            )
        return self
