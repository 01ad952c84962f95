"""The local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok, built by `make toolchain` and run on 127.0.0.1 by `make cluster`.

docs/cluster.md describes what runs, where its files live and how tests use it.
"""
