"""How long the program takes to evaluate each example stack under mocks, and how much it declares.

Cold: a fresh interpreter that imports the SDKs and runs the stack once (what `pulumi
preview` pays before the engine does any work). Warm: the median of repeated runs in one
interpreter (the program's own evaluation cost). Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import STACKS, run_program  # noqa: E402

WARM_RUNS = 7
COLD_SNIPPET = """
import sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
from tests.harness import run_program
run_program({stack!r})
print(time.perf_counter() - start)
"""


def cold_seconds(stack: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", COLD_SNIPPET.format(root=str(ROOT), stack=stack)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def warm_seconds(stack: str) -> tuple[float, int]:
    timings, count = [], 0
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        count = len(run_program(stack).resources)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), count


def main() -> None:
    print(f"{'stack':<12} {'resources':>9} {'cold (s)':>9} {'warm median (ms)':>17}")
    for stack in STACKS:
        warm, count = warm_seconds(stack)
        print(f"{stack:<12} {count:>9} {cold_seconds(stack):>9.2f} {warm * 1000:>17.1f}")


if __name__ == "__main__":
    main()
