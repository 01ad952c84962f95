"""A stack imports only the cloud SDK its backup store uses (none for pvc or S3-compatible).

Each SDK costs a noticeable part of every preview to import (bench/program_eval.py), so the
stores' modules are imported on demand. Each stack runs in a fresh interpreter: in this one
the other tests have long imported every SDK.
"""

import json
import subprocess
import sys

import pytest

from tests.harness import ROOT

SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp")
PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from tests.harness import run_program
run_program({stack!r})
print(json.dumps(sorted(m for m in {sdks!r} if m in sys.modules)))
"""


@pytest.mark.parametrize(
    ("stack", "loaded"),
    [
        ("local", []),
        ("dev-minio", []),
        ("dev", ["pulumi_aws"]),
        ("prod-aws", ["pulumi_aws"]),
        ("prod-azure", ["pulumi_azure_native"]),
        ("prod-gcp", ["pulumi_gcp"]),
    ],
)
def test_only_the_stores_sdk_is_imported(stack: str, loaded: list[str]) -> None:
    probe = PROBE.format(root=str(ROOT), stack=stack, sdks=SDKS)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == loaded
