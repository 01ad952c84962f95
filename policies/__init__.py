"""The awx-platform CrossGuard policy pack (rules in policies/rules/)."""
