"""Health checks of the AWX platform, as the exporter runs them.

Each check probes one dependency under a hard deadline (one second by default) and reports one
or more components, each Healthy, Degraded or Unhealthy (or NotConfigured when the exporter was
not told where the dependency is). What each status means, per component:

database (PostgreSQL, `psycopg`: connect, `SELECT 1`, `pg_is_in_recovery()`, client connections)
    Unhealthy: cannot connect, a query fails, the deadline passes, or the server is in recovery
    (a read-only standby: AWX writes on every request, so it cannot work against it).
    Degraded: client connections use at least 90% of the slots open to non-superusers
    (max_connections - superuser_reserved_connections), or the check was slow.
redis (PING, optional)
    NotConfigured: no REDIS_URL. Unhealthy: no connection, no PONG, or the deadline passes.
    Degraded: slow.
awx_api (`GET /api/v2/ping/`, no authentication)
    Unhealthy: no answer, an HTTP error, a body that is not the ping document, the deadline
    passes, or no control/hybrid instance reports capacity (nothing can run a job).
    Degraded: some control/hybrid instances report zero capacity (lost heartbeat, disabled), or
    slow.
task_capacity (`GET /api/v2/instances/` with AWX_TOKEN: capacity and consumed_capacity of the
enabled control/hybrid instances, the nodes each running job costs one unit on)
    NotConfigured: no AWX_TOKEN. Unhealthy: the request fails (401/403 included) or nothing is
    left (used >= total). Degraded: less than the warning ratio (10% by default) is left, or slow.
kubernetes (the API server through the exporter's ServiceAccount: the AWX custom resource and
the pods of the deployment)
    Unhealthy: the API does not answer, refuses (e.g. RBAC) or the deadline passes.
    Degraded: slow.
deployment (from the same Kubernetes answers)
    Unhealthy: the AWX resource is missing or its Failure condition is True, or no web pod or no
    task pod is Running and Ready, or its state is unknown because the kubernetes check failed.
    Degraded: some web or task pod is not Running and Ready.

Any Healthy result that took longer than the slow threshold (half the deadline by default)
becomes Degraded. Overall: Unhealthy if any component is Unhealthy, else Degraded if any is
Degraded, else Healthy; NotConfigured components do not count.
"""
