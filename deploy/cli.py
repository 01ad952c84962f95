"""`python -m deploy --stack <stack> [--work-dir DIR]` (`make deploy STACK=<stack>`).

stdout: the JSON summary (deploy/report.py); stderr: the engine's output and the deploy's log;
$GITHUB_STEP_SUMMARY, when set, gets the Markdown report appended. Exit status: 0 deployed and
healthy; 1 failed and rolled back to a healthy last good commit; 2 bad input (nothing changed);
3 failed and not rolled back (no last good deploy, or the rollback was aborted to keep a
protected or stateful resource); 4 failed and the rollback failed or is unhealthy.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from deploy.errors import DeployError
from deploy.report import EXIT_CODES
from deploy.run import Options, guarded_deploy

TIMEOUT_ENV = "DEPLOY_HEALTH_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 600.0
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def health_timeout(environ: dict[str, str] | os._Environ[str]) -> float:
    text = environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise DeployError(f"{TIMEOUT_ENV}={text!r}: give the seconds the gates may take (1-86400)")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True, help="stack to deploy (Pulumi.<stack>.yaml)")
    parser.add_argument("--work-dir", type=Path, default=Path.cwd(), help="project directory")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="deploy: %(message)s", stream=sys.stderr)
    try:
        options = Options(arguments.work_dir.resolve(), arguments.stack, health_timeout(os.environ))
        summary = guarded_deploy(options)
    except DeployError as error:
        print(f"deploy: {error}", file=sys.stderr)
        print(json.dumps({"stack": arguments.stack, "status": "failed", "outcome": "usage",
                          "error": str(error)}, indent=2))  # fmt: skip
        return EXIT_CODES["usage"]
    print(json.dumps(summary.as_dict(), indent=2))
    print(f"deploy: {summary.one_line()}", file=sys.stderr)
    step_summary = os.environ.get(SUMMARY_ENV)
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(summary.markdown())
    return summary.exit_code
