"""autoscaling.schedules: KEDA cron triggers on the task ScaledObject, and their config errors."""

from typing import Any

import pytest

from tests.harness import run_failing_program, run_program, stack_config, with_value

BUSINESS_HOURS = {
    "name": "business-hours",
    "timezone": "Europe/Berlin",
    "start": "0 8 * * 1-5",
    "end": "0 18 * * 1-5",
    "desired_replicas": 3,
}


def _config(schedules: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    config = with_value(stack_config("local"), "autoscaling.queue_metric", True)
    config = with_value(config, "autoscaling.schedules", schedules)
    for path, value in changes.items():
        config = with_value(config, path.replace("__", "."), value)
    return config


def test_schedules_become_cron_triggers_beside_the_queue_triggers() -> None:
    night = {
        "name": "nightly-batch",
        "start": "0 1 * * *",
        "end": "0 4 * * *",
        "desired_replicas": 2,
    }
    run = run_program("local", _config([BUSINESS_HOURS, night]))
    (scaled,) = [m for m in run.manifests() if m["kind"] == "ScaledObject"]
    triggers = scaled["spec"]["triggers"]
    crons = [t for t in triggers if t["type"] == "cron"]
    assert crons == [
        {
            "type": "cron",
            "name": "business-hours",
            "metadata": {
                "timezone": "Europe/Berlin",
                "start": "0 8 * * 1-5",
                "end": "0 18 * * 1-5",
                "desiredReplicas": "3",
            },
        },
        {
            "type": "cron",
            "name": "nightly-batch",
            "metadata": {
                "timezone": "UTC",
                "start": "0 1 * * *",
                "end": "0 4 * * *",
                "desiredReplicas": "2",
            },
        },
    ]
    assert [t["type"] for t in triggers].count("prometheus") == 4
    # KEDA's fallback check refuses metric types other than AverageValue: cron sets none.
    assert all("metricType" not in t or t["metricType"] == "AverageValue" for t in triggers)


BAD = [
    (
        {"autoscaling__queue_metric": False},
        [BUSINESS_HOURS],
        "awx-platform:autoscaling.schedules: need queue_metric: true",
    ),
    (
        {},
        [{**BUSINESS_HOURS, "timezone": "Mars/Olympus"}],
        "awx-platform:autoscaling.schedules[0].timezone: 'Mars/Olympus' is not an IANA time zone",
    ),
    (
        {},
        [{**BUSINESS_HOURS, "end": "0 8 * * 1-5"}],
        "awx-platform:autoscaling.schedules[0].end: must differ from start",
    ),
    (
        {},
        [{**BUSINESS_HOURS, "desired_replicas": 9}],
        "awx-platform:autoscaling.schedules[0].desired_replicas: must not exceed "
        "max_task_replicas (3); got 9",
    ),
    ({}, [{**BUSINESS_HOURS, "start": "@daily"}], "awx-platform:autoscaling.schedules[0].start"),
    (
        {},
        [BUSINESS_HOURS, BUSINESS_HOURS],
        "awx-platform:autoscaling.schedules[1].name: 'business-hours' is used twice",
    ),
    (
        {},
        [{**BUSINESS_HOURS, "name": "Business Hours"}],
        "awx-platform:autoscaling.schedules[0].name",
    ),
]


@pytest.mark.parametrize(("changes", "schedules", "message"), BAD)
def test_bad_schedules_name_the_key(
    changes: dict[str, Any], schedules: list[dict[str, Any]], message: str
) -> None:
    failed = run_failing_program("local", _config(schedules, **changes))
    assert message in str(failed.error)
