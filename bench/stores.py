"""Streams an object of --mib MiB through each chosen store (real emulators) and prints
throughput, peak RSS of this process, and retries, to show memory stays near two parts.

    .venv/bin/python bench/stores.py --kinds s3 pvc --mib 1024
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.backup.stores import DEFAULT_PART_MIB, open_store
from tests.runtime.backup.stores import create_bucket, env_for
from tests.services.objectstores import (
    running_azurite,
    running_gcs_emulator,
    running_moto,
)

CHUNK = 1 << 20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", nargs="+", default=["pvc", "s3"])
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--part-mib", type=int, default=DEFAULT_PART_MIB)
    arguments = parser.parse_args()
    chunk = os.urandom(CHUNK)
    launchers = {"s3": running_moto, "azure": running_azurite, "gcs": running_gcs_emulator}
    print(f"baseline peak RSS {peak_rss_mib():.0f} MiB")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as directory:
        for kind in arguments.kinds:
            if kind == "pvc":
                env = {"BACKUP_STORAGE_TYPE": "pvc", "BACKUP_PVC_PATH": directory}
            else:
                url = stack.enter_context(launchers[kind]())
                create_bucket(kind, url, "bench-bucket")
                env = env_for(kind, url, "bench-bucket")
            env["BACKUP_PART_SIZE_MIB"] = str(arguments.part_mib)
            store = open_store(env)
            started = time.perf_counter()
            writer = store.open_writer("bench/object")
            for _ in range(arguments.mib):
                writer.write(chunk)
            stored = writer.commit()
            elapsed = time.perf_counter() - started
            retries = getattr(getattr(store, "stats", None), "retries", 0)
            print(
                f"{kind}: {stored.size / 2**20:.0f} MiB in {elapsed:.1f} s "
                f"({arguments.mib / elapsed:.1f} MiB/s), peak RSS so far "
                f"{peak_rss_mib():.0f} MiB, retries {retries}"
            )
            store.delete(["bench/object"])


if __name__ == "__main__":
    main()
