"""The Kubernetes Events of backup runs, on the AWX resource (runtime/events.py records them):

| reason | type | when |
|---|---|---|
| BackupSucceeded | Normal | `create` stored a complete backup |
| BackupFailed | Warning | `create` failed (the note says why) |
| RestoreSucceeded / RestoreFailed | Normal / Warning | `restore` |
| DrillSucceeded / DrillFailed | Normal / Warning | `drill` (the scheduled restore test) |
| PruneRemoved | Normal | retention removed backups (how many, which) |
"""

from __future__ import annotations

from runtime.backup.settings import BackupSettings
from runtime.events import EventRecorder, awx_resource, recorder_for

SHOWN_NAMES = 10
"""Backups a PruneRemoved note names; the rest are counted (the note has 1 KiB)."""


class BackupEvents:
    def __init__(self, settings: BackupSettings, recorder: EventRecorder | None = None) -> None:
        self._awx = awx_resource(settings.deployment, settings.namespace)
        self._recorder = recorder or recorder_for(settings.kube, settings.namespace)

    @property
    def failures(self) -> int:
        return self._recorder.failures

    def backup(self, name: str, error: BaseException | None, size: int | None = None) -> None:
        if error is None:
            note = f"backup {name} stored ({size} bytes)"
            self._recorder.record(self._awx, "BackupSucceeded", "Backup", note)
        else:
            # Without the run's name: the same failure night after night is one Event, counted.
            note = f"backup failed: {_reason(error)}"
            self._recorder.record(self._awx, "BackupFailed", "Backup", note, warning=True)

    def restore(self, backup: str | None, error: BaseException | None, *, drill: bool) -> None:
        outcome, action = ("Drill", "Drill") if drill else ("Restore", "Restore")
        what = f"backup {backup}" if backup else "the backup"
        if error is None:
            note = f"{what} restored" + (" into the drill's scratch database" if drill else "")
            self._recorder.record(self._awx, f"{outcome}Succeeded", action, note)
        else:
            note = f"restore of {what} failed: {_reason(error)}"
            self._recorder.record(self._awx, f"{outcome}Failed", action, note, warning=True)

    def pruned(self, names: list[str]) -> None:
        if not names:
            return
        shown = ", ".join(names[:SHOWN_NAMES])
        more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
        note = f"retention removed {len(names)} backup(s): {shown}{more}"
        self._recorder.record(self._awx, "PruneRemoved", "Prune", note)


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__
