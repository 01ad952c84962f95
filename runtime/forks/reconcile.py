"""One reconciliation pass: bring AWX's fork limits back to their declared values.

Three kinds of drift are looked for, each costing as few requests as AWX allows:
- `max_forks`: MAX_FORKS at /api/v2/settings/jobs/ (one GET, a PATCH when it differs);
- `instance_group`: max_forks and max_concurrent_jobs of each named instance group (one GET by
  name, a PATCH of only the differing fields);
- `job_template`: job templates whose forks exceed the cap, found with the server-side filter
  `forks__gt` (one GET per 200 offenders), each PATCHed down to the cap.

Offenders are listed completely before the first PATCH: a corrected template leaves the
filtered listing, which would shift later pages under a reader that patched as it went.
With dry_run nothing is changed; drift is logged and counted all the same.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from runtime.awx_api import AwxApi, AwxApiError
from runtime.forks.metrics import ReconciliationMetrics
from runtime.logs import log

SETTINGS_PATH = "/api/v2/settings/jobs/"
INSTANCE_GROUPS_PATH = "/api/v2/instance_groups/"
JOB_TEMPLATES_PATH = "/api/v2/job_templates/"
FATAL_KINDS = frozenset({"auth", "forbidden", "connection"})
"""Failures after which the rest of a pass cannot succeed either."""


@dataclass(frozen=True)
class GroupLimits:
    name: str
    max_forks: int
    max_concurrent_jobs: int


@dataclass(frozen=True)
class Limits:
    max_forks: int
    """MAX_FORKS, and the cap for every job template's forks."""
    groups: tuple[GroupLimits, ...] = ()


@dataclass
class PassReport:
    drift: dict[str, int] = field(default_factory=dict)
    """Drifted items per event type: corrected ones, or under dry_run all that were found."""
    errors: list[AwxApiError] = field(default_factory=list)

    def count(self, event_type: str) -> None:
        self.drift[event_type] = self.drift.get(event_type, 0) + 1


class Reconciler:
    def __init__(
        self,
        api: AwxApi,
        limits: Limits,
        metrics: ReconciliationMetrics,
        dry_run: bool,
        corrected: Callable[[str], None] = lambda note: None,
    ) -> None:
        """`corrected` hears one line per corrected drift ("what, from what to what")."""
        self._api = api
        self._limits = limits
        self._metrics = metrics
        self._dry_run = dry_run
        self._corrected = corrected

    def run_pass(self) -> PassReport:
        report = PassReport()
        started = time.monotonic()
        steps: list[tuple[str, Callable[[PassReport], None]]] = [
            ("max_forks", self._max_forks),
            *((("instance_group", self._group_step(group))) for group in self._limits.groups),
            ("job_template", self._job_templates),
        ]
        for event_type, step in steps:
            step_started = time.monotonic()
            try:
                step(report)
            except AwxApiError as error:
                self._failed(report, error)
                if error.kind in FATAL_KINDS:
                    break
            finally:
                self._metrics.observe(event_type, time.monotonic() - step_started)
        self._metrics.observe("pass", time.monotonic() - started)
        self._metrics.count("pass")
        log.info(
            "reconciliation pass done",
            extra={
                "event": "pass",
                "dry_run": self._dry_run,
                "drift": report.drift,
                "errors": len(report.errors),
                "requests": self._api.requests_sent,
            },
        )
        return report

    def _failed(self, report: PassReport, error: AwxApiError) -> None:
        report.errors.append(error)
        self._metrics.error(error.kind)
        log.error(str(error), extra={"event": "error", "error_type": error.kind})

    def _drift(
        self,
        report: PassReport,
        event_type: str,
        message: str,
        current: object,
        wanted: object,
        **fields: object,
    ) -> None:
        report.count(event_type)
        self._metrics.count(event_type)
        verb = "found (dry run, left as is)" if self._dry_run else "corrected"
        log.warning(
            f"{message} {verb}",
            extra={
                "event": event_type,
                "dry_run": self._dry_run,
                "current": current,
                "wanted": wanted,
                **fields,
            },
        )
        if not self._dry_run:
            self._corrected(f"{message} corrected: {_values(current)} -> {_values(wanted)}")

    def _max_forks(self, report: PassReport) -> None:
        wanted = self._limits.max_forks
        current = self._api.get(SETTINGS_PATH).get("MAX_FORKS")
        if current == wanted:
            return
        if not self._dry_run:
            applied = self._api.patch(SETTINGS_PATH, {"MAX_FORKS": wanted}).get("MAX_FORKS")
            if applied != wanted:
                # AWX ignores writes to settings that settings.py defines (they are read-only).
                raise AwxApiError(
                    f"MAX_FORKS stayed at {applied} after PATCH {SETTINGS_PATH} (wanted "
                    f"{wanted}); settings.py sets it, which makes it read-only in the API: "
                    "fix the AWX resource's extra_settings",
                    kind="read_only",
                )
        self._drift(report, "max_forks", "MAX_FORKS drift", current=current, wanted=wanted)

    def _group_step(self, group: GroupLimits) -> Callable[[PassReport], None]:
        return lambda report: self._instance_group(report, group)

    def _instance_group(self, report: PassReport, group: GroupLimits) -> None:
        found = self._api.get(INSTANCE_GROUPS_PATH, {"name": group.name}).get("results", [])
        if not found:
            raise AwxApiError(
                f"AWX has no instance group named {group.name!r}; check --instance-group / "
                "AWX_INSTANCE_GROUPS",
                kind="not_found",
            )
        current = found[0]
        wanted = {"max_forks": group.max_forks, "max_concurrent_jobs": group.max_concurrent_jobs}
        changes = {key: value for key, value in wanted.items() if current.get(key) != value}
        if not changes:
            return
        if not self._dry_run:
            self._api.patch(f"{INSTANCE_GROUPS_PATH}{current['id']}/", changes)
        self._drift(
            report,
            "instance_group",
            f"instance group {group.name!r} drift",
            group=group.name,
            current={key: current.get(key) for key in changes},
            wanted=changes,
        )

    def _job_templates(self, report: PassReport) -> None:
        cap = self._limits.max_forks
        offenders = list(self._api.pages(JOB_TEMPLATES_PATH, {"forks__gt": cap, "order_by": "id"}))
        for template in offenders:
            if not self._dry_run:
                try:
                    self._api.patch(f"{JOB_TEMPLATES_PATH}{template['id']}/", {"forks": cap})
                except AwxApiError as error:
                    if error.kind in FATAL_KINDS:
                        raise
                    self._failed(report, error)
                    continue
            self._drift(
                report,
                "job_template",
                f"job template {template.get('name')!r} (id {template['id']}) forks drift",
                template_id=template["id"],
                current=template.get("forks"),
                wanted=cap,
            )


def _values(value: object) -> str:
    """A drifted value for a one-line note: dicts as `key=value` pairs."""
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    return str(value)
