"""Progress of a long transfer: a rich bar on a terminal, a JSON log line now and then otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from runtime.backup.pipeline import Progress
from runtime.logs import log

_LOG_EVERY_SECONDS = 30.0


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Progress]:
    if sys.stderr.isatty():
        # Imported only on a terminal: in a pod it would be memory for nothing.
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            DownloadColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as Bar  # noqa: PLC0415

        with Bar(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda count: bar.advance(task, count)
        return
    done = 0
    started = last = time.monotonic()

    def advance(count: int) -> None:
        nonlocal done, last
        done += count
        now = time.monotonic()
        if now - last >= _LOG_EVERY_SECONDS:
            last = now
            log.info(
                description,
                extra={
                    "event": "progress",
                    "bytes": done,
                    "total": total,
                    "mib_per_second": round(done / (now - started) / (1 << 20), 1),
                },
            )

    yield advance
