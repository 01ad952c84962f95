"""Autoscaling and the fork budget: task-pod scaling (HPA or KEDA), disruption budgets, the job
pods' namespace with quota and limits, the AWX settings that carry the fork limits, and the
fork enforcer that keeps AWX at them."""

from components.autoscaling.fork_enforcer import ForkEnforcer, ForkEnforcerArgs
from components.autoscaling.job_pods import awx_fork_settings
from components.autoscaling.task_autoscaling import TaskAutoscaling, TaskAutoscalingArgs

__all__ = [
    "ForkEnforcer",
    "ForkEnforcerArgs",
    "TaskAutoscaling",
    "TaskAutoscalingArgs",
    "awx_fork_settings",
]
