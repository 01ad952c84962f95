"""The in-pod runtime (`awx-runtime`): backups, the fork-limit enforcer and the exporter.

Its commands arrive with the issues that define them; the package exists so the layout is
the one the architecture names.
"""
