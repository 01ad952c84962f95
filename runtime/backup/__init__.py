"""`awx-runtime backup ...`: streaming, encrypted, verified AWX backups (docs/runtime.md)."""
