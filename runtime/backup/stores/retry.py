"""Bounded retries with exponential backoff and full jitter, shared by the cloud stores.

Each store classifies its SDK's failures into `TransientError` (throttling, 5xx, timeouts, dropped
connections: worth another attempt) or a final StoreError; the SDKs' own retries are switched
off so BACKUP_MAX_ATTEMPTS is the one bound, counted in one place.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from runtime.backup.store import StoreError

Result = TypeVar("Result")
LOG = logging.getLogger("awx_runtime.backup.store")


class TransientError(Exception):
    """A failure another attempt may cure; `reason` names it for logs and the final error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2^(attempt-1), capped, so many pods throttled
        at once do not retry in lockstep."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass
class RetryStats:
    """Retries made so far (for logs, tests and the bench)."""

    retries: int = 0


def with_retries(
    policy: RetryPolicy,
    stats: RetryStats,
    what: str,
    attempt: Callable[[], Result],
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """Run `attempt` until it succeeds, raises a non-TransientError error, or attempts run out."""
    for number in range(1, policy.max_attempts + 1):
        try:
            return attempt()
        except TransientError as failure:
            if number == policy.max_attempts:
                raise StoreError(
                    f"{what}: gave up after {number} attempts, last: {failure.reason}"
                ) from failure
            wait = policy.delay(number)
            stats.retries += 1
            LOG.warning(
                "retrying",
                extra={
                    "operation": what,
                    "attempt": number,
                    "reason": failure.reason,
                    "wait_seconds": round(wait, 3),
                },
            )
            sleep(wait)
    raise AssertionError("unreachable: max_attempts >= 1")
