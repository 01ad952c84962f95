"""`awx-runtime rightsize`: right-sizing recommendations from Prometheus history, gated, as a
patch of the stack file (docs/rightsizing.md)."""
