"""Guarded deploys through Pulumi's Automation API (`make deploy STACK=<stack>`, docs/deploy.md).

`up` the checked-out commit, hold the stack to its health gates for a soak window, record the
commit as the stack's last good deploy (a stack tag in the backend); when `up` or a gate fails,
`up` the last good commit from a temporary git worktree onto the same stack, gate it again, and
report. Modules: cli (flags, exit status), run (the sequence), engine (Automation API), stack
(the stack's validated config), lastgood (the tag), worktree (git), protection (what a rollback
may not delete), gates/ (one module per gate, and the soak loop), report, telemetry (metrics
and Events).
"""
