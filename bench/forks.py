"""Requests and wall time of one fork-enforcement pass over 10,000 job templates, 10 too wide.

Both contenders run against the fake AWX API (tests/fakes/awx_api.py, a real HTTP server on
127.0.0.1) with the same client (runtime/awx_api.py), each on a fresh copy of the same data;
requests are counted by the server. Both also check MAX_FORKS and the `default` instance group
the same way, so the difference is how job templates are found:

- enforcer: the server-side filter `forks__gt=<cap>`, 200 per page, then one PATCH per offender;
- naive full scan: GET every page of /api/v2/job_templates/ and PATCH the offenders it sees,
  once with AWX's default page size (25) and once asking for the largest page (200).

Figures are printed, never asserted (the target is at least 20x fewer requests).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime.awx_api import AwxApi, Credentials  # noqa: E402
from runtime.forks.metrics import ReconciliationMetrics  # noqa: E402
from runtime.forks.reconcile import (  # noqa: E402
    JOB_TEMPLATES_PATH,
    GroupLimits,
    Limits,
    Reconciler,
)
from tests.fakes.awx_api import AwxState, FakeAwx  # noqa: E402

TEMPLATES = 10_000
OFFENDERS = 10
CAP = 20
LIMITS = Limits(max_forks=CAP, groups=(GroupLimits("default", 200, 10),))
TOKEN = Credentials(token="admin-token")


def seeded_state() -> AwxState:
    state = AwxState(max_forks=CAP)
    state.group("default").update(max_forks=200, max_concurrent_jobs=10)
    ids = state.add_job_templates(TEMPLATES, forks=5)
    for template_id in ids[:: TEMPLATES // OFFENDERS][:OFFENDERS]:
        state.job_templates[template_id]["forks"] = 100
    return state


def enforcer(api: AwxApi) -> None:
    metrics = ReconciliationMetrics("bench", "bench")
    report = Reconciler(api, LIMITS, metrics, dry_run=False).run_pass()
    assert not report.errors, report.errors


def naive(page_size: int | None) -> Callable[[AwxApi], None]:
    def scan(api: AwxApi) -> None:
        # The same settings and instance-group checks as the enforcer: nothing to fix there.
        api.get("/api/v2/settings/jobs/")
        api.get("/api/v2/instance_groups/", {"name": "default"})
        params = {} if page_size is None else {"page_size": page_size}
        page = api.get(JOB_TEMPLATES_PATH, params)
        offenders = []
        while True:
            offenders += [t for t in page["results"] if t["forks"] > CAP]
            if not page["next"]:
                break
            page = api.get(page["next"])
        for template in offenders:
            api.patch(f"{JOB_TEMPLATES_PATH}{template['id']}/", {"forks": CAP})

    return scan


def measure(run: Callable[[AwxApi], None]) -> tuple[int, float]:
    with FakeAwx.running(seeded_state()) as awx, AwxApi(awx.url, TOKEN) as api:
        start = time.perf_counter()
        run(api)
        seconds = time.perf_counter() - start
        assert awx.state.templates_above(CAP) == [], "offenders left behind"
        return awx.state.count(), seconds


def main() -> None:
    # The enforcer logs each corrected template; the bench prints only its figures.
    logging.getLogger("awx-runtime").setLevel(logging.ERROR)
    rows = [
        ("enforcer (forks__gt, 200/page)", measure(enforcer)),
        ("naive scan (default 25/page)", measure(naive(None))),
        ("naive scan (200/page)", measure(naive(200))),
    ]
    print(f"{TEMPLATES} job templates, {OFFENDERS} with forks > {CAP}; one pass each")
    print(f"{'method':<32} {'requests':>9} {'wall (s)':>9}")
    for name, (requests, seconds) in rows:
        print(f"{name:<32} {requests:>9} {seconds:>9.3f}")
    base_requests, base_seconds = rows[0][1]
    for name, (requests, seconds) in rows[1:]:
        print(
            f"{name}: {requests / base_requests:.1f}x the enforcer's requests, "
            f"{seconds / base_seconds:.1f}x its wall time"
        )


if __name__ == "__main__":
    main()
