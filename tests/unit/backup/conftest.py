"""Program runs the backup tests share: one per cloud stack, per test module."""

import pytest

from tests.harness import ProgramRun, run_program


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    """prod-aws: an S3 bucket with KMS, IRSA and replication."""
    return run_program("prod-aws")


@pytest.fixture(scope="module")
def azure() -> ProgramRun:
    """prod-azure: a storage account with workload identity."""
    return run_program("prod-azure")


@pytest.fixture(scope="module")
def gcs() -> ProgramRun:
    """prod-gcp: a dual-region bucket with CMEK and workload identity."""
    return run_program("prod-gcp")
