"""Start, stop and describe the local control plane (make cluster / cluster-down).

    python -m scripts.cluster start     # reuses a running cluster; prints the kubeconfig path
    python -m scripts.cluster stop      # stops what `start` started, by PID
    python -m scripts.cluster status

Every process listens on 127.0.0.1 on ports picked free at first start and kept in
.tools/cluster/state.json; logs go to .tools/cluster/logs/. docs/cluster.md has the flags.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scripts.cluster import kubeconfig, objects, pki
from scripts.gomodules import BIN, TOOLS

CLUSTER = Path(os.environ.get("AWX_CLUSTER_DIR", TOOLS / "cluster"))
KUBECONFIG = CLUSTER / "kubeconfig"
STATE = CLUSTER / "state.json"
LOGS = CLUSTER / "logs"
STAGES = Path(__file__).with_name("stages.yaml")
PORTS = ("etcd", "etcd-peer", "apiserver", "controller-manager", "scheduler", "kwok")
# Started in this order, stopped in the reverse one.
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
START_TIMEOUT = 120.0


# The processes this run started: their exit is read with poll(), which, unlike /proc, also
# reports a child that exited and was not yet reaped.
_CHILDREN: dict[str, subprocess.Popen[bytes]] = {}


class ClusterError(Exception):
    """The cluster could not start or stop; the message names the component and its log."""


@dataclass
class State:
    ports: dict[str, int] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> State:
        if not STATE.exists():
            return cls()
        data = json.loads(STATE.read_text())
        return cls(ports=data.get("ports", {}), pids=data.get("pids", {}))

    def save(self) -> None:
        STATE.write_text(json.dumps({"ports": self.ports, "pids": self.pids}, indent=2))


def start() -> Path:
    """A ready cluster's admin kubeconfig: the running one's, or a new one's."""
    CLUSTER.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(exist_ok=True)
    state = State.load()
    running = [name for name in COMPONENTS if _alive(state.pids.get(name), name)]
    if running == list(COMPONENTS) and _api_ready(state):
        # Reused: the objects are made again only if missing (a start may have died midway).
        _bootstrap(START_TIMEOUT, update_crds=False)
        return KUBECONFIG
    if running:  # half a cluster: start over cleanly rather than guess what it is doing
        stop()
        state = State.load()
    _pick_ports(state)
    certificates = pki.ensure(CLUSTER / "pki")
    server = f"https://127.0.0.1:{state.ports['apiserver']}"
    for identity in pki.CLIENTS:
        kubeconfig.write(_kubeconfig_of(identity), server, certificates, identity)
    commands = _commands(state, certificates)
    started = time.monotonic()
    for name in COMPONENTS:
        state.pids[name] = _spawn(name, commands[name])
        state.save()
        if name == "etcd":
            _wait(lambda: _etcd_healthy(state), "etcd")
        if name == "kube-apiserver":
            _wait(lambda: _api_ready(state), "kube-apiserver")
    # A restart may follow a new `make toolchain`: CRDs kept in etcd are brought up to date.
    _bootstrap(START_TIMEOUT - (time.monotonic() - started), update_crds=True)
    return KUBECONFIG


def _bootstrap(timeout: float, update_crds: bool) -> None:
    api = objects.api_client(KUBECONFIG)
    objects.ensure_crds(api, update_existing=update_crds)
    objects.ensure_nodes(api)
    objects.ensure_namespaces(api)
    objects.ensure_storage(api)
    objects.wait_until_ready(api, timeout)


def stop() -> list[str]:
    """Stop every component `start` recorded, newest first; returns what was stopped."""
    state = State.load()
    stopped = []
    for name in reversed(COMPONENTS):
        pid = state.pids.pop(name, None)
        if pid is not None and _alive(pid, name):
            _terminate(pid)
            stopped.append(f"{name} (pid {pid})")
    if CLUSTER.exists():
        state.save()
    return stopped


def status() -> dict[str, str]:
    state = State.load()
    report = {
        name: (f"running (pid {state.pids[name]})" if _alive(state.pids.get(name), name)
               else "stopped")
        for name in COMPONENTS
    }  # fmt: skip
    report["api"] = "ready" if state.ports and _api_ready(state) else "not ready"
    return report


def _kubeconfig_of(identity: pki.Identity) -> Path:
    return KUBECONFIG if identity is pki.ADMIN else CLUSTER / f"{identity.file_name}.kubeconfig"


def _commands(state: State, certs: pki.Pki) -> dict[str, list[str]]:
    ports = state.ports
    etcd_url = f"http://127.0.0.1:{ports['etcd']}"
    peer_url = f"http://127.0.0.1:{ports['etcd-peer']}"
    local = ["--bind-address=127.0.0.1"]
    return {
        "etcd": [
            str(BIN / "etcd"), "--name=local", f"--data-dir={CLUSTER / 'etcd'}",
            f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=local={peer_url}", "--log-level=warn",
            # A test cluster: fsync per write would make every apply wait on the disk.
            "--unsafe-no-fsync",
        ],
        "kube-apiserver": [
            str(BIN / "kube-apiserver"), *local, "--advertise-address=127.0.0.1",
            f"--secure-port={ports['apiserver']}", f"--etcd-servers={etcd_url}",
            f"--tls-cert-file={certs.serving_cert}", f"--tls-private-key-file={certs.serving_key}",
            f"--client-ca-file={certs.ca_cert}",
            f"--service-account-key-file={certs.service_account_public_key}",
            f"--service-account-signing-key-file={certs.service_account_key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-cluster-ip-range={pki.SERVICE_CIDR}",
            # The in-cluster Service points at 127.0.0.1, which no pod could reach anyway.
            "--endpoint-reconciler-type=none",
            "--authorization-mode=Node,RBAC",
            f"--cert-dir={CLUSTER / 'apiserver-certs'}",
        ],
        "kube-controller-manager": [
            str(BIN / "kube-controller-manager"), *local,
            f"--secure-port={ports['controller-manager']}",
            *_component_kubeconfig(pki.CONTROLLER_MANAGER),
            f"--service-account-private-key-file={certs.service_account_key}",
            f"--root-ca-file={certs.ca_cert}",
            "--use-service-account-credentials",
            # kwok gives pods their IPs; no node needs a pod CIDR.
            "--controllers=*,-nodeipam", "--leader-elect=false",
            f"--cert-dir={CLUSTER / 'controller-manager-certs'}",
        ],
        "kube-scheduler": [
            str(BIN / "kube-scheduler"), *local, f"--secure-port={ports['scheduler']}",
            *_component_kubeconfig(pki.SCHEDULER), "--leader-elect=false",
            f"--cert-dir={CLUSTER / 'scheduler-certs'}",
        ],
        "kwok": [
            str(BIN / "kwok"), f"--kubeconfig={_kubeconfig_of(pki.KWOK)}",
            f"--config={STAGES}", f"--server-address=127.0.0.1:{ports['kwok']}",
            f"--manage-nodes-with-annotation-selector={objects.KWOK_ANNOTATION}=fake",
            "--node-lease-duration-seconds=40", "--node-ip=10.244.0.1",
        ],
    }  # fmt: skip


def _component_kubeconfig(identity: pki.Identity) -> list[str]:
    path = _kubeconfig_of(identity)
    return [f"--kubeconfig={path}", f"--authentication-kubeconfig={path}",
            f"--authorization-kubeconfig={path}"]  # fmt: skip


def _pick_ports(state: State) -> None:
    for name in PORTS:
        if name not in state.ports or not _port_free(state.ports[name]):
            state.ports[name] = _free_port()
    state.save()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _log(name: str) -> Path:
    return LOGS / f"{name}.log"


def _spawn(name: str, command: list[str]) -> int:
    if not Path(command[0]).exists():
        raise ClusterError(f"{command[0]} is missing: run `make toolchain` first")
    with _log(name).open("ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `make cluster`; stopped by PID (cluster-down)
        )  # fmt: skip
    _CHILDREN[name] = process
    return process.pid


def _wait(ready: Callable[[], bool], name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        exited = _CHILDREN[name].poll()
        if exited is not None:
            raise ClusterError(
                f"{name} exited with status {exited} during start-up: see {_log(name)}"
            )
        if ready():
            return
        time.sleep(0.25)
    raise ClusterError(f"{name} not ready after {START_TIMEOUT:.0f} s: see {_log(name)}")


def _etcd_healthy(state: State) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{state.ports['etcd']}/health", timeout=2
        ) as r:
            return bool(json.loads(r.read()).get("health") == "true")
    except (OSError, ValueError):
        return False


def _api_ready(state: State) -> bool:
    certs = pki.Pki(CLUSTER / "pki")
    if "apiserver" not in state.ports or not certs.ca_cert.exists():
        return False
    context = ssl.create_default_context(cafile=str(certs.ca_cert))
    context.load_cert_chain(str(certs.client_cert(pki.ADMIN)), str(certs.client_key(pki.ADMIN)))
    url = f"https://127.0.0.1:{state.ports['apiserver']}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def process_state(pid: int) -> str | None:
    """The kernel's one-letter state of `pid` (Z: exited, not yet reaped), None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _alive(pid: int | None, name: str) -> bool:
    """Whether `pid` is still our `name` process (a PID can be reused by another program)."""
    if pid is None or process_state(pid) in (None, "Z"):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        return False
    # Resolved on both sides: a git worktree links the main checkout's .tools, so the same
    # binary is started as /main/.tools/bin/etcd and looked for as /worktree/.tools/bin/etcd.
    return Path(command).resolve() == (BIN / name).resolve()


def _terminate(pid: int, grace: float = 15.0) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if process_state(pid) in (None, "Z"):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
