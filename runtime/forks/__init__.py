"""`awx-runtime forks enforce`: the fork enforcer (docs/autoscaling.md).

commands.py registers the command, enforce.py runs the loop, settings.py reads its flags,
reconcile.py is one pass against AWX (through runtime/awx_api.py), metrics.py its metrics.
"""
