"""The built awx-runtime image run as containers with podman and crun, in a private store.

    with loaded_image(archive, workdir) as image:
        result = image.run(["backup", "list"], env={...}, volumes={host_dir: "/data"})

Every container gets what an awx-runtime pod gets (components/pods.py): the image's
own user (never overridden here), no capabilities, no privilege escalation, a read-only root
filesystem with a tmpfs on /tmp, and the host's network, so the tests' servers on 127.0.0.1
are reachable. A writable container (`start(..., read_only=False)`) is for `podman diff`:
what a run wrote outside its volumes.

Two facts of this machine shape the commands (neither changes what runs in the container):
its root lacks CAP_SYS_RESOURCE, so podman's default rlimits (raised to 1048576 open files)
cannot be set and each container gets limits at or below the current ones; and it mounts
cgroup v1 controllers beside a cgroup2 hierarchy holding one controller, a hybrid layout crun
refuses, so each podman command runs in a private mount namespace without that cgroup2 mount.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.image.settings import RUNTIME_USER_ID

TIMEOUT = 300
UNIFIED = Path("/sys/fs/cgroup/unified")


def _hybrid_cgroups() -> bool:
    controllers = UNIFIED / "cgroup.controllers"
    return (
        os.path.ismount(UNIFIED) and controllers.exists() and bool(controllers.read_text().strip())
    )


def _limits() -> list[str]:
    files, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return ["--ulimit", f"nofile={files}:{files}", "--ulimit", "nproc=4096:4096"]


@dataclass(frozen=True)
class Podman:
    root: Path

    def command(self, *arguments: str) -> list[str]:
        store = ["--root", str(self.root / "storage"), "--runroot", str(self.root / "run")]
        runtime = ["--runtime", "crun", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
        podman = ["podman", *store, *runtime, "--storage-driver", "overlay", *arguments]
        if not _hybrid_cgroups():
            return podman
        hide = f'umount {UNIFIED} && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh", *podman]

    def __call__(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*arguments), capture_output=True, text=True, timeout=TIMEOUT,
            check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"podman {' '.join(arguments)}: {result.stderr.strip()}")
        return result


def volume(directory: Path) -> Path:
    """Makes a host directory readable and writable by the image's user, as fsGroup would."""
    for path in [directory, *directory.rglob("*")]:
        os.chown(path, RUNTIME_USER_ID, RUNTIME_USER_ID, follow_symlinks=False)
    return directory


@dataclass(frozen=True)
class Image:
    podman: Podman
    id: str
    env_dir: Path

    def _options(
        self, env: Mapping[str, str], volumes: Mapping[Path, str], read_only: bool, name: str
    ) -> list[str]:
        env_file = self.env_dir / f"{name}.env"
        # A file, not --env flags: the values include passwords (kept off command lines).
        env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        env_file.chmod(0o600)
        options = ["--name", name, "--network", "host", "--cap-drop", "all",
                   "--security-opt", "no-new-privileges", "--env-file", str(env_file),
                   "--tmpfs", "/tmp:rw,mode=1777,size=256m", *_limits()]  # fmt: skip
        if read_only:
            options += ["--read-only", "--read-only-tmpfs=false"]
        for source, target in volumes.items():
            options += ["--volume", f"{source}:{target}"]
        return options

    def run(
        self,
        arguments: Sequence[str],
        env: Mapping[str, str] | None = None,
        volumes: Mapping[Path, str] | None = None,
        entrypoint: str | None = None,
        name: str = "run",
    ) -> subprocess.CompletedProcess[str]:
        """One read-only container to completion; its exit status is the caller's to check."""
        options = self._options(env or {}, volumes or {}, True, name)
        if entrypoint:
            options += ["--entrypoint", entrypoint]
        return self.podman("run", "--rm", *options, self.id, *arguments, check=False)

    def start(
        self,
        arguments: Sequence[str],
        name: str,
        env: Mapping[str, str] | None = None,
        read_only: bool = True,
    ) -> str:
        options = self._options(env or {}, {}, read_only, name)
        self.podman("run", "--detach", *options, self.id, *arguments)
        return name

    def stop(self, name: str) -> str:
        """Stops and removes the container; returns its output."""
        self.podman("stop", "--time", "20", name, check=False)
        logs = self.podman("logs", name, check=False)
        self.podman("rm", "--force", name, check=False)
        return logs.stdout + logs.stderr

    def host_users(self, name: str) -> list[str]:
        """The host user of every process in the container (uids: no host names for them)."""
        lines = self.podman("top", name, "huser", "args").stdout.splitlines()[1:]
        return [line.split(maxsplit=1)[0] for line in lines if line.strip()]

    def changes(self, name: str) -> list[str]:
        """What the container changed in its root filesystem (volumes and tmpfs excluded)."""
        return [line for line in self.podman("diff", name).stdout.splitlines() if line.strip()]

    def config(self) -> dict[str, object]:
        inspected = json.loads(self.podman("image", "inspect", self.id).stdout)[0]
        config: dict[str, object] = inspected["Config"]
        return {**config, "Size": inspected["Size"]}


@contextmanager
def loaded_image(archive: Path, workdir: Path) -> Iterator[Image]:
    podman = Podman(workdir / "podman")
    env_dir = workdir / "env"
    env_dir.mkdir(parents=True)
    image_id = podman("pull", "--quiet", f"oci-archive:{archive}").stdout.strip()
    try:
        yield Image(podman, image_id, env_dir)
    finally:
        podman("rm", "--all", "--force", check=False)
        podman("rmi", "--all", "--force", check=False)
        podman("system", "reset", "--force", check=False)
        shutil.rmtree(workdir / "podman", ignore_errors=True)
