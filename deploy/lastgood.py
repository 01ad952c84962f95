"""The stack's last good deploy: the commit a guarded deploy last found healthy.

Kept as a stack tag, which the file backend (diy) stores next to the state
(`.pulumi/stacks/<project>/<stack>.pulumi-tags`) and Pulumi Cloud with the stack, so it
survives a fresh checkout and every machine that reaches the backend sees the same value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TAG = "awx-platform:last-good-commit"
COMMIT = re.compile(r"^[0-9a-f]{40}$")


def read(tags: Mapping[str, str]) -> str | None:
    """The recorded commit; None when there is none (or what is there is not a commit)."""
    value = tags.get(TAG, "").strip()
    return value if COMMIT.fullmatch(value) else None
