"""The `policy` section: what kind of environment a stack is, for the CrossGuard pack."""

from typing import Literal

from components.settings.base import DnsLabel, Section

PROTECTED_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


class PolicySettings(Section):
    environment: Literal["development", "staging", "production"] = "development"
    """Production stacks are held to the strictest policies (backups, monitoring, retention)."""
    protected_namespaces: list[DnsLabel] = list(PROTECTED_NAMESPACES)
    """Namespaces this program must never deploy into."""
