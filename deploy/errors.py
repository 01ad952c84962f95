"""The one failure type of a guarded deploy: a one-line message naming what and where."""


class DeployError(Exception):
    """Bad input or an environment the deploy cannot work in (before anything changed)."""
