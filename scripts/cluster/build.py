"""Build the local control plane from the Go module proxy into .tools/bin (make toolchain).

etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok run the cluster;
controller-gen turns the upstream Go API types of prometheus-operator and KEDA into the CRDs
the platform's objects need. Each step is skipped when a stamp says its result is current.
Versions and why each builds this way: docs/cluster.md.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from scripts.gomodules import BIN, TOOLS, ToolchainError, download, remote_replaces, run

ETCD_VERSION = "v3.6.16"
KUBERNETES_VERSION = "v1.36.3"
# Kubernetes' staging modules (k8s.io/api, apiserver, ...) carry v0.<minor>.<patch> tags.
KUBERNETES_STAGING_VERSION = "v0.36.3"
KWOK_VERSION = "v0.8.0"
CONTROLLER_TOOLS_VERSION = "v0.21.0"
# The API types of the operators our chart pins install (docs/versions.md):
# kube-prometheus-stack 88.5.3 ships prometheus-operator v0.93.1; KEDA 2.20.2 (the
# controller-tools version is the one both upstreams generate their CRDs with).
PROMETHEUS_OPERATOR_VERSION = "v0.93.1"
KEDA_VERSION = "v2.20.2"

ETCD_SERVER = "go.etcd.io/etcd/server/v3"
KUBERNETES = "k8s.io/kubernetes"
KUBE_COMMANDS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
KWOK = "sigs.k8s.io/kwok/cmd/kwok"
CONTROLLER_GEN = "sigs.k8s.io/controller-tools/cmd/controller-gen"
MONITORING_API = "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring"
KEDA = "github.com/kedacore/keda/v2"
CRD_PACKAGES = (f"{MONITORING_API}/v1", f"{MONITORING_API}/v1alpha1", f"{KEDA}/apis/keda/v1alpha1")
CRD_DIRECTORY = TOOLS / "cluster-crds"

ETCD_MAIN = """package main

import (
\t"os"

\t"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
"""


def ensure_etcd() -> str:
    return _stamped("etcd", ETCD_VERSION, _build_etcd)


def ensure_kubernetes() -> str:
    return _stamped("kubernetes", KUBERNETES_VERSION, _build_kubernetes)


def ensure_kwok() -> str:
    return _stamped(
        "kwok",
        KWOK_VERSION,
        lambda: run(["go", "install", f"{KWOK}@{KWOK_VERSION}"], extra_env={"GOBIN": str(BIN)}),
    )


def ensure_controller_gen() -> str:
    return _stamped(
        "controller-gen",
        CONTROLLER_TOOLS_VERSION,
        lambda: run(
            ["go", "install", f"{CONTROLLER_GEN}@{CONTROLLER_TOOLS_VERSION}"],
            extra_env={"GOBIN": str(BIN)},
        ),
    )


def ensure_crds() -> str:
    wanted = f"prometheus-operator {PROMETHEUS_OPERATOR_VERSION}, keda {KEDA_VERSION}"
    return _stamped("crds", wanted, _generate_crds, stamp_dir=CRD_DIRECTORY)


STEPS: tuple[tuple[str, Callable[[], str]], ...] = (
    (f"etcd {ETCD_VERSION}", ensure_etcd),
    (f"kube-apiserver/-controller-manager/-scheduler {KUBERNETES_VERSION}", ensure_kubernetes),
    (f"kwok {KWOK_VERSION}", ensure_kwok),
    (f"controller-gen {CONTROLLER_TOOLS_VERSION}", ensure_controller_gen),
    ("CRDs (monitoring.coreos.com, keda.sh)", ensure_crds),
)


def _build_etcd() -> None:
    with tempfile.TemporaryDirectory(prefix="etcd-") as work:
        # etcd's server module points at its siblings with relative replaces, which a
        # dependency's go.mod may not do: a wrapper main module requires it instead.
        wrapper = Path(work)
        (wrapper / "main.go").write_text(ETCD_MAIN)
        run(["go", "mod", "init", "example.invalid/etcd"], cwd=wrapper)
        run(["go", "mod", "edit", f"-require={ETCD_SERVER}@{ETCD_VERSION}"], cwd=wrapper)
        run(["go", "mod", "tidy"], cwd=wrapper)
        run(["go", "build", "-trimpath", "-o", str(BIN / "etcd"), "."], cwd=wrapper)


def _build_kubernetes() -> None:
    kubernetes_mod = download(KUBERNETES, KUBERNETES_VERSION) / "go.mod"
    with tempfile.TemporaryDirectory(prefix="kubernetes-") as work:
        wrapper = Path(work)
        run(["go", "mod", "init", "example.invalid/control-plane"], cwd=wrapper)
        # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
        # ./staging paths; the wrapper replaces each with its published tag instead.
        staging = [
            f"-replace={module}={module}@{KUBERNETES_STAGING_VERSION}"
            for module in _local_replaces(kubernetes_mod)
        ]
        run(["go", "mod", "edit", f"-require={KUBERNETES}@{KUBERNETES_VERSION}", *staging],
            cwd=wrapper)  # fmt: skip
        imports = "\n".join(f'\t_ "{KUBERNETES}/cmd/{command}"' for command in KUBE_COMMANDS)
        tools_go = f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n"
        (wrapper / "tools.go").write_text(tools_go)
        run(["go", "mod", "tidy"], cwd=wrapper)
        version = KUBERNETES_VERSION.removeprefix("v")
        major, minor = version.split(".")[:2]
        ldflags = " ".join(
            f"-X {package}.{name}={value}"
            for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
            for name, value in (("gitVersion", KUBERNETES_VERSION), ("gitMajor", major),
                                ("gitMinor", minor), ("gitTreeState", "clean"))
        )  # fmt: skip
        packages = [f"{KUBERNETES}/cmd/{command}" for command in KUBE_COMMANDS]
        # providerless leaves out the in-tree cloud providers, which nothing here uses.
        run(["go", "build", "-trimpath", "-tags=providerless", "-ldflags", ldflags,
             "-o", str(BIN) + "/", *packages], cwd=wrapper)  # fmt: skip


def _generate_crds() -> None:
    CRD_DIRECTORY.mkdir(parents=True, exist_ok=True)
    for old in CRD_DIRECTORY.glob("*.yaml"):
        old.unlink()
    keda_mod = download(KEDA, KEDA_VERSION) / "go.mod"
    with tempfile.TemporaryDirectory(prefix="crds-") as work:
        # The API types are used as Go code: controller-gen reads their markers from the
        # packages a module of ours imports, as it would in the operators' own builds.
        wrapper = Path(work)
        run(["go", "mod", "init", "example.invalid/crds"], cwd=wrapper)
        requires = [f"-require={MONITORING_API}@{PROMETHEUS_OPERATOR_VERSION}",
                    f"-require={KEDA}@{KEDA_VERSION}"]  # fmt: skip
        run(["go", "mod", "edit", *requires, *remote_replaces(keda_mod)], cwd=wrapper)
        imports = "\n".join(f'\t_ "{package}"' for package in CRD_PACKAGES)
        (wrapper / "types.go").write_text(f"package crds\n\nimport (\n{imports}\n)\n")
        run(["go", "mod", "tidy"], cwd=wrapper)
        # Descriptions off: the Prometheus CRDs would otherwise exceed what one object holds.
        run([str(BIN / "controller-gen"), "crd:maxDescLen=0",
             "paths=" + ";".join(CRD_PACKAGES), f"output:crd:dir={CRD_DIRECTORY}"],
            cwd=wrapper)  # fmt: skip
    # WithTriggers is a helper type in KEDA's package, not a resource: KEDA's chart does not
    # ship a CRD for it either.
    (CRD_DIRECTORY / "keda.sh_withtriggers.yaml").unlink(missing_ok=True)
    if not any(CRD_DIRECTORY.glob("*.yaml")):
        raise ToolchainError(f"controller-gen wrote no CRDs to {CRD_DIRECTORY}")


def _local_replaces(go_mod: Path) -> list[str]:
    replaces = json.loads(run(["go", "mod", "edit", "-json", str(go_mod)])).get("Replace") or []
    return [r["Old"]["Path"] for r in replaces if not r["New"].get("Version")]


def _stamped(name: str, wanted: str, build: Callable[[], object], stamp_dir: Path = BIN) -> str:
    stamp = stamp_dir / f".{name}.version"
    if stamp.exists() and stamp.read_text() == wanted:
        return "present"
    stamp.unlink(missing_ok=True)
    build()
    stamp_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(wanted)
    return "built"
