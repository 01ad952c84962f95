"""Assemble the awx-platform policy pack; the rules live in rules/, one module per concern."""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import ALL_POLICIES

PolicyPack(
    name="awx-platform",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
