"""Wall time of `pulumi preview`, `up` and `destroy` of the local stack on the local control
plane (make cluster), and the program's own evaluation time as a share of a preview.

`up` includes the provider's await of every rollout (kwok makes pods Ready), so it measures
what a user waits for on a real cluster, less the image pulls and container starts.

The program's share is measured by running the same __main__.py in a fresh interpreter under
mocks (SDK imports plus evaluation, without the engine's gRPC round trips), next to the
engine's preview in the same run. Figures are medians of ROUNDS rounds, printed only.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.program_eval import cold_seconds  # noqa: E402
from tests.engine import EngineProject  # noqa: E402
from tests.services.cluster import api, ensure_namespace, running_cluster, suffix  # noqa: E402

ROUNDS = 3


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def one_round(directory: Path, kubeconfig: Path) -> dict[str, float]:
    project = EngineProject.create(directory)
    namespaces = project.target_cluster(kubeconfig, suffix())
    ensure_namespace(api(kubeconfig), namespaces.monitoring)
    figures = {
        "preview (empty state)": timed(lambda: project.pulumi("preview")),
        "up (create, rollouts awaited)": timed(project.up),
        "preview (no changes)": timed(lambda: project.pulumi("preview")),
        "up (no changes)": timed(project.up),
        "destroy": timed(lambda: project.pulumi("destroy", "--yes")),
        "program under mocks (fresh interpreter)": cold_seconds("local"),
    }
    return figures


def main() -> None:
    rounds = []
    with (
        running_cluster() as kubeconfig,
        tempfile.TemporaryDirectory(prefix="awx-engine-bench-") as work,
    ):
        for index in range(ROUNDS):
            rounds.append(one_round(Path(work) / f"round-{index}", kubeconfig))
    medians = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    print(f"local stack on the local cluster, real engine, median of {ROUNDS} rounds")
    for name, seconds in medians.items():
        print(f"  {name:<42} {seconds:6.2f} s")
    share = medians["program under mocks (fresh interpreter)"] / medians["preview (no changes)"]
    print(f"  program evaluation as a share of a no-change preview: {share:.0%}")


if __name__ == "__main__":
    main()
