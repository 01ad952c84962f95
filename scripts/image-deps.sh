#!/usr/bin/env bash
# What `make image` and `make image-test` need beyond scripts/system-deps.sh: Debian's image
# tools (run as root on CI and fresh machines; a no-op when present) and syft, the SBOM tool,
# built from the Go module proxy into .image-tools/bin (Debian does not package it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh mmdebstrap debian-archive-keyring umoci skopeo podman crun uidmap

syft_version=v1.57.2
syft=.image-tools/bin/syft
if [ -x "$syft" ] && go version -m "$syft" 2>/dev/null | grep -q "mod[[:space:]]*github.com/anchore/syft[[:space:]]*${syft_version}[[:space:]]"; then
  echo "image-deps: syft $syft_version present"
else
  command -v go >/dev/null || { echo "image-deps: Go is needed to build syft" >&2; exit 1; }
  echo "image-deps: building syft $syft_version from the Go module proxy (a few minutes)"
  # main.version: syft names itself with it in every SBOM's metadata.
  GOBIN="$PWD/.image-tools/bin" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    go install -ldflags "-X main.version=${syft_version#v}" "github.com/anchore/syft/cmd/syft@$syft_version"
fi
