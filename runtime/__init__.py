"""The in-pod runtime (`awx-runtime`): one package per command group, and what they share.

    cli.py, __main__.py   the console script; imports only the requested group (memory)
    errors.py, logs.py    the one failure type (exit codes) and the JSON log lines
    options.py            the one flag/env parser every group declares its settings with
    retry.py              the one retry policy (bounded attempts, exponential backoff)
    awx_api.py            the one AWX REST client (forks, exporter)
    http_server.py        the one HTTP server for /metrics, /healthz and friends
    backup/ forks/ exporter/   the command groups, each with commands.py (its register())

A group imports the shared modules and never another group; `runtime` imports neither
`pulumi` nor `components`.
"""
