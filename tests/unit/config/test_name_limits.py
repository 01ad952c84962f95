"""Names the API accepts: with the longest `awx.name` and `awx.namespace` the config takes,
every name the program emits fits Kubernetes' limits; one character more is refused, naming the
key and the longest value that fits (components/settings/names.py)."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings.names import (
    CRONJOB_LIMIT,
    LABEL_LIMIT,
    STATEFULSET_LIMIT,
    awx_name_derivations,
)
from tests.harness import run_changed
from tests.unit.refusals import assert_refused

LONGEST_NAME = min(d.limit - len(d.suffix) for d in awx_name_derivations("24.6.1"))
LONGEST_NAMESPACE = LABEL_LIMIT - len("-jobs")
# Every optional feature that names an object after awx.name: drill, advisor, restore Job,
# Redis exporter, enforcer and exporters (all on in these stacks or switched on here).
EVERYTHING = {
    "backup.restore": "latest",
    "rightsizing.enabled": True,
    "monitoring.exporters.redis_address": "redis.example.internal:6379",
}


def valid_looking(length: int, stem: str) -> str:
    """A name of `length` characters that reads like a real one (`awx-production-...`)."""
    words = [stem, "production", "europe", "west", "primary", "automation", "controller"]
    text = "-".join(words * 4)[:length].rstrip("-")
    return text + "x" * (length - len(text))


def limit_of(manifest: dict[str, Any]) -> int:
    kind = manifest["kind"]
    if kind == "CronJob":
        return CRONJOB_LIMIT
    if kind in ("Service", "Namespace", "Job"):
        return LABEL_LIMIT
    if kind == "StatefulSet":
        return STATEFULSET_LIMIT
    return 253


@pytest.mark.parametrize("stack", ["dev", "prod-aws"])
def test_the_longest_accepted_names_fit_everywhere(stack: str) -> None:
    name = valid_looking(LONGEST_NAME, "awx")
    namespace = valid_looking(LONGEST_NAMESPACE, "automation")
    run = run_changed(stack, {"awx.name": name, "awx.namespace": namespace, **EVERYTHING})
    manifests = run.manifests()
    kinds = {m["kind"] for m in manifests}
    assert {"CronJob", "Job", "Service", "Namespace"} <= kinds, kinds
    too_long = []
    for manifest in manifests:
        metadata = manifest["metadata"]
        if len(metadata["name"]) > limit_of(manifest):
            too_long.append(f"{manifest['kind']} {metadata['name']} ({len(metadata['name'])})")
        if len(metadata.get("namespace", "")) > LABEL_LIMIT:
            too_long.append(f"namespace {metadata['namespace']}")
        too_long += [
            f"label {key}={value} on {metadata['name']}"
            for key, value in (metadata.get("labels") or {}).items()
            if len(str(value)) > LABEL_LIMIT
        ]
    assert too_long == []
    # The AWX resource is the operator's input: what it will derive fits as well.
    (awx,) = [m for m in manifests if m["kind"] == "AWX"]
    assert len(awx["metadata"]["name"]) == LONGEST_NAME
    assert len(f"{awx['metadata']['name']}-postgres-15") <= STATEFULSET_LIMIT


def test_one_character_more_in_awx_name_is_refused() -> None:
    assert_refused(
        "local",
        {"awx.name": valid_looking(LONGEST_NAME + 1, "awx")},
        "awx-platform:awx.name",
        f"is {LONGEST_NAME + 1} characters; at most {LONGEST_NAME} fit",
    )


def test_the_refusal_names_the_derived_name_and_its_limit() -> None:
    name = valid_looking(45, "awx")
    assert_refused(
        "local",
        {"awx.name": name},
        "awx-platform:awx.name",
        f"{name}-restore-drill would be 59 characters, over the 52-character limit of a "
        "CronJob name",
    )


def test_one_character_more_in_the_namespace_is_refused() -> None:
    assert_refused(
        "local",
        {"awx.namespace": valid_looking(LONGEST_NAMESPACE + 1, "automation")},
        "awx-platform:awx.namespace",
        f"at most {LONGEST_NAMESPACE} fit",
    )


def test_a_long_namespace_is_fine_when_job_pods_have_their_own() -> None:
    namespace = valid_looking(LABEL_LIMIT, "automation")
    run = run_changed(
        "local", {"awx.namespace": namespace, "autoscaling.job_pod.namespace": "awx-jobs"}
    )
    assert {m["metadata"]["name"] for m in run.manifests() if m["kind"] == "Namespace"} >= {
        namespace
    }


def test_a_name_starting_with_a_digit_is_refused() -> None:
    assert_refused(
        "local", {"awx.name": "1awx"}, "awx-platform:awx.name", "must start with a letter"
    )
