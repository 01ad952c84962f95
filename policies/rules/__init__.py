"""Every rule of the pack, grouped by concern."""

from . import (
    awx,
    awx_production,
    images_production,
    kubernetes,
    kubernetes_stack,
    secrets,
    storage,
)

ALL_POLICIES = [
    *kubernetes.POLICIES,
    *kubernetes_stack.POLICIES,
    *storage.POLICIES,
    *secrets.POLICIES,
    *awx.POLICIES,
    *awx_production.POLICIES,
    *images_production.POLICIES,
]
