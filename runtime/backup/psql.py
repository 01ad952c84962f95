"""One-value queries through psql, which ships with pg_dump and pg_restore in every image
that runs them: the Python driver would add ~20 MB and a tenth of a second to each run."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from runtime.errors import AwxRuntimeError

CONNECT_TIMEOUT_SECONDS = "30"


def query_value(
    sql: str, env: Mapping[str, str], *, failure: str, kind: str, dsn: str | None = None
) -> str:
    """The first column of the first row of `sql`, or AwxRuntimeError("<failure>: <psql's
    own reason>") when psql cannot connect or the query fails."""
    command = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
    if dsn is not None:
        command += ["-d", dsn]
    try:
        answer = subprocess.run(
            command,
            env={"PGCONNECT_TIMEOUT": CONNECT_TIMEOUT_SECONDS, **env},
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AwxRuntimeError(f"{failure}: psql: {error}", kind) from None
    if answer.returncode != 0:
        # The first line names the server and the cause; the next ones are hints.
        lines = answer.stderr.strip().splitlines()
        reason = lines[0].removeprefix("psql: error: ") if lines else "failed"
        raise AwxRuntimeError(f"{failure}: {reason}", kind)
    return answer.stdout.strip().splitlines()[0] if answer.stdout.strip() else ""
