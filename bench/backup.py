"""Backup throughput, size and memory on a generated AWX-like database of >= 1 GB (issue 4 #11).

One run, each contender on the same database, one after the other:

  (a) shell pipeline  pg_dump -Fc -Z0 | zstd -3 | age -r KEY > file
  (b) awx-operator    pg_dump -Fc > file
  (c) ours            awx-runtime backup create  -> pvc store (a directory)
  (d) ours            awx-runtime backup create  -> S3 on moto
  restore: age -d | zstd -d | pg_restore   versus   awx-runtime backup restore

MB/s is the database size (pg_database_size) over wall time, so ratios are ratios of times.
Peak RSS is the VmHWM of our process (polled from /proc while it runs; pg_dump, its child,
is not included: it peaks at about 13 MB). Targets: create >= 0.95x (a) and >= 1.6x
(b), peak RSS <= 64 MB, restore >= 0.95x the shell restore. Figures are printed, never asserted.

    .venv/bin/python bench/backup.py [--jobs 70000]    # make bench runs it with the rest
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import psycopg  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from tests.runtime.awx_data import populate  # noqa: E402
from tests.services.postgres import PostgresServer, free_port, running_postgres  # noqa: E402

MB = 1_000_000


@dataclass
class Run:
    label: str
    seconds: float
    size: int
    peak_rss: int | None = None


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=70_000, help="jobs x 20 events; 70000 ~ 1 GB")
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="awx-backup-bench-"))
    identity = work / "identity"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipient = next(
        line.split(": ")[1] for line in identity.read_text().splitlines() if "public key" in line
    )
    with running_postgres() as server:
        print(f"generating {arguments.jobs} jobs x 20 events ...", flush=True)
        started = time.perf_counter()
        populate(server.connection_kwargs(), jobs=arguments.jobs, events_per_job=20)
        size = database_size(server)
        print(f"database: {size / MB:.0f} MB in {time.perf_counter() - started:.0f} s", flush=True)
        base_env = {**os.environ, **server.environment()}
        runs: list[Run] = []

        shell_file = work / "shell.dump.zst.age"
        seconds, _ = timed(
            f"pg_dump -Fc -Z0 | zstd -q -3 | age -r {recipient} > {shell_file}", base_env, True
        )
        runs.append(Run("(a) pg_dump -Z0 | zstd -3 | age", seconds, shell_file.stat().st_size))

        operator_file = work / "operator.dump"
        seconds, _ = timed(["pg_dump", "-Fc", "-f", str(operator_file)], base_env)
        runs.append(Run("(b) pg_dump -Fc", seconds, operator_file.stat().st_size))
        operator_file.unlink()

        store = work / "pvc"
        store.mkdir()
        ours_env = {
            **base_env,
            "AWX_DEPLOYMENT_NAME": "bench",
            "AWX_NAMESPACE": "bench",
            "BACKUP_STORAGE_TYPE": "pvc",
            "BACKUP_PVC_PATH": str(store),
            "BACKUP_AGE_RECIPIENTS": recipient,
            "BACKUP_AGE_IDENTITY_FILE": str(identity),
            "PUSHGATEWAY_URL": "",
        }
        cli = [sys.executable, "-m", "runtime", "backup"]
        seconds, rss = timed([*cli, "create", "--no-prune"], ours_env)
        runs.append(Run("(c) awx-runtime create -> pvc", seconds, tree_size(store), rss))
        runs.extend(s3_run(cli, ours_env, seconds))

        target = fresh_database(server, "shell_restore")
        restore_shell, _ = timed(
            f"age -d -i {identity} < {shell_file} | zstd -q -d | "
            f"pg_restore --no-owner --exit-on-error --single-transaction -d '{target}'",
            base_env,
            True,
        )
        target = fresh_database(server, "ours_restore")
        restore_ours, restore_rss = timed(
            [*cli, "restore", "latest", "--target-dsn", target], ours_env
        )

    print()
    print(f"{'run':40} {'seconds':>8} {'MB/s':>8} {'size MB':>9} {'peak RSS MB':>12}")
    for run in runs:
        rss = f"{run.peak_rss / MB:.1f}" if run.peak_rss else "-"
        print(
            f"{run.label:40} {run.seconds:8.1f} {size / MB / run.seconds:8.1f} "
            f"{run.size / MB:9.1f} {rss:>12}"
        )
    shell, operator, ours = runs[0], runs[1], runs[2]
    print()
    print(f"create: ours/(a) throughput {shell.seconds / ours.seconds:.2f}x (target >= 0.95)")
    print(f"create: ours/(b) throughput {operator.seconds / ours.seconds:.2f}x (target >= 1.6)")
    print(f"create: peak RSS {ours.peak_rss / MB if ours.peak_rss else 0:.1f} MB (target <= 64)")
    print(
        f"size: ours {ours.size / MB:.1f} MB, (a) {shell.size / MB:.1f} MB, "
        f"(b) {operator.size / MB:.1f} MB"
    )
    print(
        f"restore: shell {restore_shell:.1f} s, ours {restore_ours:.1f} s, ours/shell throughput "
        f"{restore_shell / restore_ours:.2f}x (target >= 0.95), ours peak RSS "
        f"{(restore_rss or 0) / MB:.1f} MB"
    )
    print(json.dumps({"self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def s3_run(cli: list[str], env: dict[str, str], _: float) -> list[Run]:
    """(d): the same backup to S3 on moto."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        )  # fmt: skip
        client.create_bucket(Bucket="bench")
        s3_env = {
            **env,
            **credentials,
            "BACKUP_STORAGE_TYPE": "s3",
            "BACKUP_S3_BUCKET": "bench",
            "BACKUP_S3_REGION": "us-east-1",
            "BACKUP_S3_ENDPOINT_URL": endpoint,
        }
        seconds, rss = timed([*cli, "create", "--no-prune"], s3_env)
        stored = client.list_objects_v2(Bucket="bench").get("Contents", [])
        size = sum(item["Size"] for item in stored if "/locks/" not in item["Key"])
        return [Run("(d) awx-runtime create -> S3 (moto)", seconds, size, rss)]
    finally:
        server.stop()


if __name__ == "__main__":
    main()
