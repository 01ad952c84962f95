"""Kubernetes Events (events.k8s.io/v1) for what the runtime does: a backup, a restore, a prune,
a fork correction leaves an Event on the AWX resource that `kubectl get events` and
`kubectl describe awx` show next to the operator's own.

Repeated identical events are one object with a series, as client-go's recorder keeps them:
the name is derived from everything that makes an event "the same" (what it is about, reason,
action, type, note, controller), so a second occurrence finds the first (409 on create) and
bumps `series.count` and `series.lastObservedTime` with a patch. The note is part of the key
because the API server refuses to change an Event's note on update.

Recording is best effort: an API that refuses or is unreachable never fails the operation it
reports on. The first failure is logged (later ones are only counted in `failures`, which the
commands publish as `awx_runtime_events_failed_total`), and each request is bounded by a short
timeout so a dead API server costs a backup seconds, not its deadline.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runtime.kubernetes_api import Connection, connect
from runtime.logs import log

if TYPE_CHECKING:
    from kubernetes import client

CONTROLLER = "awx-platform/awx-runtime"
NOTE_LIMIT = 1024
"""The API server rejects a longer note (events.k8s.io/v1 validation)."""
REQUEST_TIMEOUT_SECONDS = 5.0
FAILED_METRIC = "awx_runtime_events_failed"
FAILED_HELP = "Kubernetes Events the runtime could not record (API refused or unreachable)."
JOB_NAME_ENV, JOB_UID_ENV, POD_NAME_ENV = "AWX_RUNTIME_JOB_NAME", "AWX_RUNTIME_JOB_UID", "POD_NAME"
"""Set by the pod spec from the downward API (the Job's labels on its pods, the pod's name)."""
AWX_API_VERSION, AWX_KIND = "awx.ansible.com/v1beta1", "AWX"


@dataclass(frozen=True)
class ObjectReference:
    api_version: str
    kind: str
    name: str
    namespace: str
    uid: str | None = None

    def as_dict(self) -> dict[str, str]:
        reference = {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
        }
        if self.uid:
            reference["uid"] = self.uid
        return reference


def awx_resource(name: str, namespace: str) -> ObjectReference:
    """The AWX custom resource; no uid, as the runtime's accounts may not read the resource."""
    return ObjectReference(AWX_API_VERSION, AWX_KIND, name, namespace)


def current_job(namespace: str) -> ObjectReference | None:
    """The Job this pod belongs to (a CronJob's run), from the downward API; None outside one."""
    name = os.environ.get(JOB_NAME_ENV, "").strip()
    if not name:
        return None
    return ObjectReference("batch/v1", "Job", name, namespace, os.environ.get(JOB_UID_ENV) or None)


class EventRecorder:
    def __init__(
        self,
        connect: Callable[[], client.ApiClient],
        namespace: str,
        *,
        controller: str = CONTROLLER,
        instance: str | None = None,
        related: ObjectReference | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """Events go to `namespace` (the account's own). `connect` is called at the first
        event, not before: the client costs ~45 MB, which must not add to a backup's peak.
        `on_failure` is called for each event that could not be recorded (a served counter)."""
        self._connect = connect
        self._api: client.ApiClient | None = None
        self._namespace = namespace
        self._controller = controller
        self._instance = instance or os.environ.get(POD_NAME_ENV) or socket.gethostname()
        self._related = related
        self._on_failure = on_failure
        self.failures = 0
        self.recorded = 0

    def record(
        self,
        regarding: ObjectReference,
        reason: str,
        action: str,
        note: str,
        *,
        warning: bool = False,
    ) -> None:
        kind = "Warning" if warning else "Normal"
        note = _one_line(note)
        try:
            if self._api is None:
                self._api = self._connect()
            self._create_or_count(regarding, reason, action, kind, note)
            self.recorded += 1
        except Exception as error:  # best effort by contract: see the docstring
            self._failed(reason, error)

    def _create_or_count(
        self, regarding: ObjectReference, reason: str, action: str, kind: str, note: str
    ) -> None:
        from kubernetes import client  # noqa: PLC0415
        from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

        events: Any = client.EventsV1Api(self._api)
        name = self._name(regarding, reason, action, kind, note)
        now = _micro_time(datetime.now(UTC))
        body = {
            "apiVersion": "events.k8s.io/v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": self._namespace},
            "eventTime": now,
            "reportingController": self._controller,
            "reportingInstance": self._instance[:128],
            "action": action,
            "reason": reason,
            "type": kind,
            "note": note,
            "regarding": regarding.as_dict(),
        }
        if self._related is not None:
            body["related"] = self._related.as_dict()
        timeout = REQUEST_TIMEOUT_SECONDS
        try:
            events.create_namespaced_event(self._namespace, body, _request_timeout=timeout)
            return
        except ApiException as error:
            if error.status != 409:
                raise
        # Raw JSON: the client's models refuse Events whose optional fields another writer left
        # out, and only the series is needed.
        existing = events.read_namespaced_event(
            name, self._namespace, _request_timeout=timeout, _preload_content=False
        )
        series = json.loads(existing.data).get("series") or {}
        count = int(series.get("count", 1)) + 1
        events.patch_namespaced_event(
            name,
            self._namespace,
            {"series": {"count": count, "lastObservedTime": now}},
            _request_timeout=timeout,
        )

    def _name(
        self, regarding: ObjectReference, reason: str, action: str, kind: str, note: str
    ) -> str:
        key = "\n".join(
            (*regarding.as_dict().values(), reason, action, kind, note, self._controller)
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        # Like client-go's names (<object>.<suffix>), so `kubectl get events` groups them.
        return f"{regarding.name[:200]}.{digest}"

    def _failed(self, reason: str, error: BaseException) -> None:
        self.failures += 1
        if self._on_failure is not None:
            self._on_failure()
        if self.failures > 1:
            return
        log.warning(
            f"could not record Kubernetes Event {reason} in namespace {self._namespace}: "
            f"{_describe(error)} (further failures are only counted in {FAILED_METRIC}_total)",
            extra={"event": "kubernetes-event-failed", "reason": reason},
        )


def recorder_for(
    connection: Connection, namespace: str, on_failure: Callable[[], None] | None = None
) -> EventRecorder:
    """A recorder on `connection`, related to this pod's Job if it runs in one. A connection
    that cannot be made (no ServiceAccount, no kubeconfig) fails each event, counted: the
    operation itself goes on."""
    return EventRecorder(
        lambda: connect(connection),
        namespace,
        related=current_job(namespace),
        on_failure=on_failure,
    )


def _describe(error: BaseException) -> str:
    status = getattr(error, "status", None)
    if status is not None:
        return f"{status} {getattr(error, 'reason', '')}".strip()
    return f"{type(error).__name__}: {error}"


def _one_line(note: str) -> str:
    line = " ".join(note.split())
    if len(line.encode()) <= NOTE_LIMIT:
        return line
    return line.encode()[: NOTE_LIMIT - 3].decode(errors="ignore") + "..."


def _micro_time(moment: datetime) -> str:
    """events.k8s.io's MicroTime: RFC 3339 with microseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
