"""What a deploy leaves behind besides the stack: a Kubernetes Event on the AWX resource for
the deploy and for each rollback (the runtime's shared recorder, runtime/events.py), and the
counters awx_deploy_total{stack,status} and awx_rollback_total{stack,status} on the Pushgateway
$PUSHGATEWAY_URL names (the runtime's shared pusher, runtime/pushgateway.py; unset: no push).

Both are best effort: a deploy's outcome is its exit status and report, never whether the
Pushgateway or the API server took a note of it; failures are counted in the report.
"""

from __future__ import annotations

import logging
import os
import socket

from kubernetes import client

from runtime.events import EventRecorder, awx_resource
from runtime.pushgateway import MetricsPusher

log = logging.getLogger("deploy")

CONTROLLER = "awx-platform/awx-deploy"
JOB = "awx-deploy"
PUSHGATEWAY_ENV = "PUSHGATEWAY_URL"


def instance() -> str:
    """Who deployed: the CI run when there is one, else this host."""
    run = os.environ.get("GITHUB_RUN_ID")
    if run:
        return f"github-run-{run}-{os.environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return socket.gethostname()


class Telemetry:
    def __init__(self, api: client.ApiClient, stack: str, awx: str, namespace: str) -> None:
        self._stack = stack
        self._awx = awx_resource(awx, namespace)
        # Connected already (the gates need the API anyway): the recorder gets that client.
        self._recorder = EventRecorder(
            lambda: api, namespace=namespace, controller=CONTROLLER, instance=instance()
        )
        self._pushgateway = os.environ.get(PUSHGATEWAY_ENV, "").strip() or None
        self.pushed = False
        self._push_failed = False

    @property
    def events_failed(self) -> int:
        return self._recorder.failures

    def event(self, reason: str, action: str, note: str, *, warning: bool) -> None:
        self._recorder.record(self._awx, reason=reason, action=action, note=note, warning=warning)

    def count(self, metric: str, help_text: str, success: bool) -> None:
        if self._pushgateway is None:
            return
        try:
            pusher = MetricsPusher(self._pushgateway, JOB, {"stack": self._stack})
            pusher.count(metric, help_text, "success" if success else "failure")
            pusher.push()
        except Exception as error:
            self._push_failed = True
            log.error("could not push %s to %s: %s", metric, self._pushgateway, error)
            return
        self.pushed = not self._push_failed

    def deployed(self, success: bool, note: str) -> None:
        reason = "DeploySucceeded" if success else "DeployFailed"
        self.event(reason, "Deploy", note, warning=not success)
        self.count("awx_deploy", "Guarded deploys by result.", success)

    def rolled_back(self, success: bool, note: str) -> None:
        reason = "RollbackSucceeded" if success else "RollbackFailed"
        self.event(reason, "Rollback", note, warning=not success)
        self.count(
            "awx_rollback", "Rollbacks by result (aborted and unhealthy count as failure).", success
        )
