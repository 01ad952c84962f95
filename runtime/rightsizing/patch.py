"""--apply: write the recommendations no gate blocked into the stack file, only if the
program's own config models accept the result.

The models live in components/, which runtime/ may not import (the layering contract), so the
patched text goes to a temporary file next to the stack file and `python -m
components.config_check FILE` judges it in a separate process; the stack file is replaced
(atomically) only when that says yes. Where the program is not installed (the awx-runtime
image), nothing can be validated and nothing is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from runtime.errors import AwxRuntimeError
from runtime.rightsizing.model import Recommendation
from runtime.rightsizing.stack_file import StackFile

CHECK_MODULE = "components.config_check"


def changes(recommendations: list[Recommendation]) -> dict[str, str | int]:
    return {r.field: r.recommended for r in recommendations if r.blocked_by is None and r.changes}


def validate(path: Path) -> None:
    """Raise AwxRuntimeError with the models' problems when the file at `path` is invalid."""
    result = subprocess.run(
        [sys.executable, "-m", CHECK_MODULE, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return
    # python -m reports a missing package or module as "No module named ..." (quoted or not).
    if "No module named" in result.stderr and CHECK_MODULE.split(".", 1)[0] in result.stderr:
        raise AwxRuntimeError(
            f"cannot validate the patch: {CHECK_MODULE} is not installed with this interpreter "
            "(run --apply from a checkout of awx-platform with `make install`); nothing written",
            kind="validation",
        )
    problems = "; ".join(line.strip() for line in result.stderr.splitlines() if line.strip())
    raise AwxRuntimeError(
        f"the patched stack file would not validate, nothing written: {problems}",
        kind="validation",
    )


def apply(stack: StackFile, recommendations: list[Recommendation]) -> dict[str, str | int]:
    """Patch, validate, replace; returns what was written (nothing when no change passed)."""
    wanted = changes(recommendations)
    if not wanted:
        return {}
    text = stack.patched(dict(wanted))
    directory = stack.path.resolve().parent
    handle, name = tempfile.mkstemp(prefix=".rightsize-", suffix=".yaml", dir=directory)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        validate(temporary)
        os.chmod(temporary, stack.path.stat().st_mode & 0o7777)
        os.replace(temporary, stack.path)
    finally:
        temporary.unlink(missing_ok=True)
    return wanted
