"""Render a stack's Kubernetes manifests by running the program under Pulumi mocks.

No cloud account, no cluster and no Pulumi CLI needed: the real program runs against the
mock engine from tests/harness.py, and every Kubernetes object it declares is written as
YAML. Secret values are redacted. The real engine (`make up STACK=local`) replaces this once
the toolchain can be built; the manifests describe the same objects.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components.config import ConfigError  # noqa: E402
from tests.harness import run_program, stack_config  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="local", help="stack whose Pulumi.<stack>.yaml to use")
    parser.add_argument("--out", type=Path, help="directory (default rendered/<stack>-mocks)")
    parser.add_argument("--stack-file", type=Path, help="stack file (default Pulumi.<stack>.yaml)")
    args = parser.parse_args()
    out = args.out or ROOT / "rendered" / f"{args.stack}-mocks"
    try:
        run = run_program(args.stack, stack_config(args.stack, args.stack_file))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    manifests = run.manifests()
    for manifest in manifests:
        metadata = manifest["metadata"]
        parts = [manifest["kind"].lower(), metadata.get("namespace"), metadata["name"]]
        path = out / ("-".join(part for part in parts if part) + ".yaml")
        path.write_text(yaml.safe_dump(manifest, sort_keys=True))
    print(
        f"stack {args.stack}: {len(run.resources)} resources, {len(manifests)} manifests in {out}"
    )
    for resource in run.resources:
        print(f"  {resource.type:55} {resource.name}{'  [protected]' if resource.protect else ''}")
    print("outputs:")
    for name, value in sorted(run.outputs.items()):
        print(f"  {name}: {'[secret]' if name in run.secret_outputs else value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
