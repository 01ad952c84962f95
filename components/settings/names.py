"""Kubernetes' length limits on the names derived from config, checked before anything runs.

The program and the awx-operator name objects after `awx.name` and `awx.namespace`; a value
that fits its own field can still make a derived name the API refuses, halfway through an
`up`. Each derivation here is the longest of its kind (tests/unit/config/test_name_limits.py
runs the program with the longest accepted values and checks every emitted name).
"""

from __future__ import annotations

from dataclasses import dataclass

# The CronJob controller appends an 11-character suffix to make each Job's name, which must
# stay a 63-character label value (the job-name label).
CRONJOB_LIMIT = 52
# DNS-1123 labels: Service and Namespace names, and label values.
LABEL_LIMIT = 63
# The StatefulSet controller labels pods with `<name>-<10-character hash>` (63 at most).
STATEFULSET_LIMIT = 52
# The managed PostgreSQL's StatefulSet is `<awx.name>-postgres-<major>` (operator 2.19: 15).
OPERATOR_POSTGRES_MAJOR = 15


@dataclass(frozen=True)
class Derivation:
    suffix: str
    limit: int
    what: str

    def overflow(self, value: str) -> int:
        return len(value) + len(self.suffix) - self.limit


def awx_name_derivations(image_version: str) -> tuple[Derivation, ...]:
    return (
        Derivation("-restore-drill", CRONJOB_LIMIT, "CronJob"),
        Derivation("-rightsizing", CRONJOB_LIMIT, "CronJob"),
        Derivation("-backup", CRONJOB_LIMIT, "CronJob"),
        Derivation(
            f"-postgres-{OPERATOR_POSTGRES_MAJOR}",
            STATEFULSET_LIMIT,
            "StatefulSet (the operator's PostgreSQL)",
        ),
        Derivation("-postgres-exporter", LABEL_LIMIT, "Service"),
        # A restore Job: `<name>-restore-<8 hex characters>`.
        Derivation("-restore-00000000", LABEL_LIMIT, "Job (a restore)"),
        Derivation("-redis-exporter", LABEL_LIMIT, "Service"),
        Derivation("-fork-enforcer", LABEL_LIMIT, "Service"),
        Derivation(f"-migration-{image_version}", LABEL_LIMIT, "Job (the operator's migration)"),
        Derivation("-service", LABEL_LIMIT, "Service (the operator's)"),
    )


JOB_NAMESPACE = Derivation("-jobs", LABEL_LIMIT, "Namespace (job pods)")


def longest_fit(value: str, derivations: tuple[Derivation, ...]) -> str | None:
    """None when every derived name fits, else why not and the longest value that would."""
    worst = max(derivations, key=lambda d: d.overflow(value))
    if worst.overflow(value) <= 0:
        return None
    longest = min(d.limit - len(d.suffix) for d in derivations)
    return (
        f"is {len(value)} characters; at most {longest} fit: {value}{worst.suffix!s} would be "
        f"{len(value) + len(worst.suffix)} characters, over the {worst.limit}-character "
        f"limit of a {worst.what} name"
    )
