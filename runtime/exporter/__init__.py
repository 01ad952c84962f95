"""`awx-runtime exporter`: awx_* metrics and health endpoints (docs/exporter.md).

commands.py registers the command, serve.py runs it, settings.py reads its flags, health/ holds
one module per check plus the monitor, the metrics and the endpoints they feed.
"""
