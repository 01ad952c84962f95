"""One `create` (or `prune`) per deployment at a time: a lock object in the store itself.

Taken with the store's atomic create-if-absent; it expires so that a run killed before it
could release it blocks the next scheduled run for at most LOCK_TTL, then is taken over.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from types import TracebackType

from runtime.backup.manifest import iso, parse_iso
from runtime.backup.store import BackupStore, ObjectNotFoundError
from runtime.errors import AwxRuntimeError
from runtime.logs import log

LOCK_TTL = timedelta(hours=6)


class LockedError(AwxRuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, kind="locked")


class BackupLock:
    def __init__(
        self, store: BackupStore, prefix: str, deployment: str, ttl: timedelta = LOCK_TTL
    ) -> None:
        self._store = store
        self._ttl = ttl
        self.took_over = False
        """True when an expired lock was taken over: the run that held it died."""
        self.key = f"{prefix}/locks/{deployment}.lock"
        self.owner = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"

    def _body(self) -> bytes:
        now = datetime.now(UTC)
        return json.dumps(
            {"owner": self.owner, "created": iso(now), "expires": iso(now + self._ttl)}
        ).encode()

    def acquire(self) -> None:
        if self._store.create_exclusive(self.key, self._body()):
            return
        try:
            held = json.loads(self._store.get_bytes(self.key))
            expires = parse_iso(held["expires"])
            holder = held.get("owner", "unknown")
        except ObjectNotFoundError:
            expires, holder = datetime.min.replace(tzinfo=UTC), "gone"
        except (ValueError, KeyError, TypeError):
            expires, holder = datetime.min.replace(tzinfo=UTC), "unreadable lock"
        if expires > datetime.now(UTC):
            raise LockedError(
                f"another backup of this deployment is running ({holder}, lock "
                f"{self._store.description}/{self.key} expires {iso(expires)})"
            )
        log.warning(
            "taking over an expired lock",
            extra={"event": "lock-expired", "lock": self.key, "holder": holder},
        )
        self._store.delete([self.key])
        if not self._store.create_exclusive(self.key, self._body()):
            raise LockedError(f"another run took over the expired lock {self.key} first")
        self.took_over = True

    def release(self) -> None:
        try:
            held = json.loads(self._store.get_bytes(self.key))
        except (ObjectNotFoundError, ValueError):
            return
        if held.get("owner") == self.owner:
            self._store.delete([self.key])

    def __enter__(self) -> BackupLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
