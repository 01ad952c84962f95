"""Backup throughput, size and memory on a generated AWX-like database of >= 1 GB (issue 4 #11).

One run: every contender on the same database, interleaved over --rounds rounds (medians are
compared, every round is printed, the load average is printed at each round's start):

  (a) shell pipeline  pg_dump -Fc -Z0 | zstd -3 | age -r KEY > file
  (b) awx-operator    pg_dump -Fc > file
  (c) ours            awx-runtime backup create  -> pvc store (a directory)
  (d) ours            awx-runtime backup create  -> S3 on moto
  restore: age -d | zstd -d | pg_restore   versus   awx-runtime backup restore

MB/s is the database size (pg_database_size) over wall time, so ratios are ratios of times.
Peak RSS is the VmHWM of our process (polled from /proc while it runs; pg_dump, its child,
is not included: it peaks at about 13 MB). Targets: create >= 0.95x (a) and >= 1.6x
(b), peak RSS <= 64 MB, restore >= 0.95x the shell restore. Figures are printed, never asserted.

    .venv/bin/python bench/backup.py [--jobs 70000] [--rounds 3]   # make bench runs it
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import psycopg  # noqa: E402

from tests.runtime.backup.awx_data import populate  # noqa: E402
from tests.services.objectstores import running_moto  # noqa: E402
from tests.services.postgres import PostgresServer, running_postgres  # noqa: E402
from tests.services.pushgateway import running_pushgateway  # noqa: E402

MB = 1_000_000


def timed(
    command: list[str] | str, env: dict[str, str], shell: bool = False
) -> tuple[float, int | None]:
    """Wall seconds and the child's peak RSS in bytes (for a shell: the largest process)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, shell=shell, cwd=ROOT)
    watcher = HighWaterMark(process.pid)
    watcher.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    watcher.join()
    if status != 0:
        raise SystemExit(f"{command!r} failed with status {status}")
    if shell:
        return seconds, usage.ru_maxrss * 1024
    return seconds, watcher.peak


class HighWaterMark(threading.Thread):
    """Polls the process's own VmHWM. wait4's ru_maxrss was seen reporting 67 MB for a create
    that peaks at 51 MB when launched alone (a figure that does not belong to the process), so
    the bench reads the kernel's per-process peak while the process lives."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.peak = 0

    def run(self) -> None:
        while True:
            try:
                text = self.status.read_text()
            except (FileNotFoundError, ProcessLookupError):
                return
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak = max(self.peak, int(line.split()[1]) * 1024)
            if "State:\tZ" in text:
                return
            time.sleep(0.02)


def database_size(server: PostgresServer) -> int:
    with psycopg.connect(**server.connection_kwargs()) as connection:
        row = connection.execute("select pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0])


def fresh_database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(**server.connection_kwargs(), autocommit=True) as connection:
        connection.execute(f"drop database if exists {name}")
        connection.execute(f"create database {name}")
    return f"host={server.host} port={server.port} user={server.user} dbname={name}"


def tree_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


@dataclass
class Samples:
    """One contender's runs: seconds of each round, size and peak RSS of the last."""

    label: str
    seconds: list[float] = field(default_factory=list)
    size: int = 0
    peak_rss: int | None = None

    def add(self, seconds: float, size: int, peak_rss: int | None = None) -> None:
        self.seconds.append(seconds)
        self.size = size
        if peak_rss is not None:
            self.peak_rss = max(self.peak_rss or 0, peak_rss)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Bench:
    """The contenders, each a method that runs once and records its sample."""

    server: PostgresServer
    work: Path
    recipient: str
    identity: Path
    base_env: dict[str, str]
    ours_env: dict[str, str]
    s3_env: dict[str, str]
    shell: Samples = field(default_factory=lambda: Samples("(a) pg_dump -Z0 | zstd -3 | age"))
    operator: Samples = field(default_factory=lambda: Samples("(b) pg_dump -Fc"))
    ours: Samples = field(default_factory=lambda: Samples("(c) awx-runtime create -> pvc"))
    ours_s3: Samples = field(default_factory=lambda: Samples("(d) awx-runtime create -> S3 (moto)"))
    restore_shell: Samples = field(
        default_factory=lambda: Samples("restore: age -d | zstd -d | pg_restore")
    )
    restore_ours: Samples = field(
        default_factory=lambda: Samples("restore: awx-runtime restore (pvc)")
    )

    @property
    def cli(self) -> list[str]:
        return [sys.executable, "-m", "runtime", "backup"]

    @property
    def shell_file(self) -> Path:
        return self.work / "shell.dump.zst.age"

    @property
    def store(self) -> Path:
        return self.work / "pvc"

    def create_shell(self) -> None:
        command = f"pg_dump -Fc -Z0 | zstd -q -3 | age -r {self.recipient} > {self.shell_file}"
        seconds, _ = timed(command, self.base_env, True)
        self.shell.add(seconds, self.shell_file.stat().st_size)

    def create_operator(self) -> None:
        dump = self.work / "operator.dump"
        seconds, _ = timed(["pg_dump", "-Fc", "-f", str(dump)], self.base_env)
        self.operator.add(seconds, dump.stat().st_size)
        dump.unlink()

    def create_ours(self) -> None:
        for path in self.store.iterdir():
            shutil.rmtree(path)  # one backup in the store: its size is (c)'s size
        seconds, rss = timed([*self.cli, "create", "--no-prune"], self.ours_env)
        self.ours.add(seconds, tree_size(self.store), rss)

    def create_ours_s3(self) -> None:
        seconds, rss = timed([*self.cli, "create", "--no-prune"], {**self.ours_env, **self.s3_env})
        self.ours_s3.add(seconds, stored_size(self.s3_env), rss)

    def restore_with_shell(self) -> None:
        target = fresh_database(self.server, "shell_restore")
        command = (
            f"age -d -i {self.identity} < {self.shell_file} | zstd -q -d | "
            f"pg_restore --no-owner --exit-on-error --single-transaction -d '{target}'"
        )
        seconds, _ = timed(command, self.base_env, True)
        self.restore_shell.add(seconds, 0)

    def restore_with_ours(self) -> None:
        target = fresh_database(self.server, "ours_restore")
        command = [*self.cli, "restore", "latest", "--target-dsn", target]
        seconds, rss = timed(command, self.ours_env)
        self.restore_ours.add(seconds, 0, rss)

    def round(self, number: int) -> None:
        """Creates, then restores (which need their outputs); the order within each group
        reverses every other round, and a checkpoint and sync before each run keep one run's
        writes (a restore's) from being flushed during the next."""
        creates = [self.create_shell, self.create_operator, self.create_ours, self.create_ours_s3]
        restores = [self.restore_with_shell, self.restore_with_ours]
        for group in (creates, restores):
            for contender in group if number % 2 else reversed(group):
                checkpoint(self.server)
                contender()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=70_000, help="jobs x 20 events; 70000 ~ 1 GB")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every contender, interleaved (medians)"
    )
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="awx-backup-bench-"))
    identity = work / "identity"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipient = next(
        line.split(": ")[1] for line in identity.read_text().splitlines() if "public key" in line
    )
    with (
        running_postgres() as server,
        running_moto_bucket() as s3_env,
        running_pushgateway() as pushgateway,
    ):
        print(f"generating {arguments.jobs} jobs x 20 events ...", flush=True)
        started = time.perf_counter()
        populate(server.connection_kwargs(), jobs=arguments.jobs, events_per_job=20)
        size = database_size(server)
        print(f"database: {size / MB:.0f} MB in {time.perf_counter() - started:.0f} s", flush=True)
        base_env = {**os.environ, **server.environment()}
        (work / "pvc").mkdir()
        ours_env = {
            **base_env,
            "AWX_DEPLOYMENT_NAME": "bench",
            "AWX_NAMESPACE": "bench",
            "BACKUP_STORAGE_TYPE": "pvc",
            "BACKUP_PVC_PATH": str(work / "pvc"),
            "BACKUP_AGE_RECIPIENTS": recipient,
            "BACKUP_AGE_IDENTITY_FILE": str(identity),
            # As in production: the metrics push (after the pipeline) is part of the run.
            "PUSHGATEWAY_URL": pushgateway.url,
        }
        bench = Bench(server, work, recipient, identity, base_env, ours_env, s3_env)
        for number in range(1, arguments.rounds + 1):
            print(f"round {number}/{arguments.rounds} (load {load()})", flush=True)
            bench.round(number)
        print(f"end (load {load()})")
    report(
        size,
        [bench.shell, bench.operator, bench.ours, bench.ours_s3],
        [bench.restore_shell, bench.restore_ours],
    )


def checkpoint(server: PostgresServer) -> None:
    """Flush what earlier runs left dirty (the test server runs with fsync off, so a restore's
    writes sit in the page cache and would be written back during the next run)."""
    with psycopg.connect(**server.connection_kwargs(), autocommit=True) as connection:
        connection.execute("checkpoint")
    os.sync()


def report(size: int, creates: list[Samples], restores: list[Samples]) -> None:
    shell, operator, ours, ours_s3 = creates
    restore_shell, restore_ours = restores
    print()
    print(f"{'run':42} {'median s':>8} {'MB/s':>7} {'size MB':>8} {'peak RSS MB':>11}  rounds (s)")
    for run in [*creates, *restores]:
        rss = f"{run.peak_rss / MB:.1f}" if run.peak_rss else "-"
        stored = f"{run.size / MB:.1f}" if run.size else "-"
        rounds = " ".join(f"{seconds:.1f}" for seconds in run.seconds)
        print(
            f"{run.label:42} {run.median:8.1f} {size / MB / run.median:7.1f} {stored:>8} "
            f"{rss:>11}  {rounds}"
        )
    print()
    for contender in (ours, ours_s3):
        print(
            f"{contender.label}: ours/(a) {shell.median / contender.median:.2f}x "
            f"(target >= 0.95), ours/(b) {operator.median / contender.median:.2f}x "
            f"(target >= 1.6), peak RSS {(contender.peak_rss or 0) / MB:.1f} MB (target <= 64)"
        )
    print(
        f"restore: ours/shell {restore_shell.median / restore_ours.median:.2f}x (target >= 0.95),"
        f" ours peak RSS {(restore_ours.peak_rss or 0) / MB:.1f} MB"
    )
    print(json.dumps({"self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@contextmanager
def running_moto_bucket() -> Iterator[dict[str, str]]:
    """S3 on moto (a server process of its own) with a bucket, as the environment of (d)."""
    with running_moto() as endpoint:
        credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        ).create_bucket(Bucket="bench")  # fmt: skip
        yield {
            **credentials,
            "BACKUP_STORAGE_TYPE": "s3",
            "BACKUP_S3_BUCKET": "bench",
            "BACKUP_S3_REGION": "us-east-1",
            "BACKUP_S3_ENDPOINT_URL": endpoint,
        }


def stored_size(s3_env: dict[str, str]) -> int:
    """Bytes of the newest backup in the bench bucket (locks excluded)."""
    client = boto3.client(
        "s3", endpoint_url=s3_env["BACKUP_S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    )  # fmt: skip
    stored = client.list_objects_v2(Bucket="bench").get("Contents", [])
    backups = sorted({item["Key"].split("/")[1] for item in stored if "/locks/" not in item["Key"]})
    newest = backups[-1]
    return sum(item["Size"] for item in stored if item["Key"].split("/")[1] == newest)


if __name__ == "__main__":
    main()
