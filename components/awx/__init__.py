"""AWX itself: the namespace, awx-operator, AWX's Secrets and the AWX custom resource."""

from components.awx.deployment import AwxDeployment, AwxDeploymentArgs

__all__ = ["AwxDeployment", "AwxDeploymentArgs"]
