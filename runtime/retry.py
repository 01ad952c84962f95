"""The one retry policy of the runtime: bounded attempts with exponential backoff.

Used by the backup stores (full jitter: many pods throttled at once must not retry in lockstep)
and the AWX API client (plain doubling, as its --backoff flag documents). A caller classifies
its own failures: it raises `TransientError` for one another attempt may cure (throttling,
5xx, timeouts, dropped connections) and anything else for a final failure. The SDKs' own
retries are switched off where they have any, so `RetryPolicy.attempts` is the one bound.

    policy = RetryPolicy(attempts=5, base_delay=0.5)
    result = with_retries(policy, "s3 PUT key", attempt, exhausted=StoreError, stats=stats)

`attempt` is a no-argument callable; when the last attempt fails transiently, `with_retries`
raises the `final` error the TransientError carries if it has one, else
`exhausted("<what>: gave up after N attempts, last: <reason>")`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from runtime.errors import AwxRuntimeError

Result = TypeVar("Result")


class TransientError(Exception):
    """A failure another attempt may cure; `reason` names it for logs and the final error.

    `final` is the error to raise when no attempt is left, for callers whose last answer has
    its own, more telling error (an HTTP 503 with its body)."""

    def __init__(self, reason: str, final: Exception | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final = final


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    """Tries per operation, the first included (at least 1)."""
    base_delay: float = 0.5
    """Seconds: the wait (or with jitter, its ceiling) before the second try; doubled after."""
    max_delay: float = 20.0
    """Cap on any single wait."""
    jitter: bool = True
    """Full jitter: a random wait between 0 and the doubled delay."""

    def delay(self, attempt: int) -> float:
        """The wait after failed try number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(0, ceiling) if self.jitter else ceiling


@dataclass
class RetryStats:
    """Retries made so far (for logs, tests and the bench)."""

    retries: int = 0


def with_retries(
    policy: RetryPolicy,
    what: str,
    attempt: Callable[[], Result],
    *,
    exhausted: Callable[[str], Exception] = AwxRuntimeError,
    stats: RetryStats | None = None,
    log: logging.Logger | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """Run `attempt` until it succeeds, raises anything but TransientError, or tries run out.

    `log`, when given, gets one warning per retry (operation, attempt, reason, wait)."""
    for number in range(1, policy.attempts + 1):
        try:
            return attempt()
        except TransientError as failure:
            if number == policy.attempts:
                if failure.final is not None:
                    raise failure.final from failure
                raise exhausted(
                    f"{what}: gave up after {number} attempts, last: {failure.reason}"
                ) from failure
            wait = policy.delay(number)
            if stats is not None:
                stats.retries += 1
            if log is not None:
                log.warning(
                    "retrying",
                    extra={
                        "operation": what,
                        "attempt": number,
                        "reason": failure.reason,
                        "wait_seconds": round(wait, 3),
                    },
                )
            sleep(wait)
    raise AssertionError("unreachable: attempts >= 1")
