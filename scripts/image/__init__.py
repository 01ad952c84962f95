"""The awx-runtime image: build (build.py), SBOM and scan (sbom.py); docs/runtime.md."""
