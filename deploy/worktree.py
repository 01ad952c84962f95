"""git: the commit being deployed, and a temporary worktree of the last good one for a rollback.

The rollback's worktree shares the checkout's repository (no clone, no network unless the
commit is missing from a shallow clone) and gets a link to the checkout's `.tools` when there
is one: the local stack's kubeconfig (.tools/cluster/kubeconfig) and the toolchain are
gitignored, so a bare worktree would not have them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.errors import DeployError

SHARED_UNTRACKED = (".tools",)


def git(work_dir: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["git", *arguments], cwd=work_dir, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise DeployError(f"git {' '.join(arguments)} in {work_dir}: {result.stderr.strip()}")
    return result


def head(work_dir: Path) -> str:
    """The checked-out commit; refuses a tree with uncommitted changes to tracked files,
    since the deploy records the commit as what it deployed."""
    commit = git(work_dir, "rev-parse", "HEAD").stdout.strip()
    changed = git(work_dir, "status", "--porcelain", "--untracked-files=no").stdout.split("\n")
    changed = [line[3:] for line in changed if line.strip()]
    if changed:
        raise DeployError(
            f"{work_dir} has uncommitted changes ({', '.join(changed[:5])}): commit them first; a "
            "guarded deploy records the commit it deployed as the stack's last good one"
        )
    return commit


def _ensure_commit(work_dir: Path, commit: str) -> None:
    if git(work_dir, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0:
        return
    # A shallow CI clone may lack it: fetch just that commit.
    git(work_dir, "fetch", "--no-tags", "--depth=1", "origin", commit, check=False)
    if git(work_dir, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode != 0:
        raise DeployError(f"commit {commit} is not in this clone and could not be fetched")


@contextmanager
def checkout(work_dir: Path, commit: str) -> Iterator[Path]:
    """The project directory in a detached worktree of `commit`, removed on exit."""
    _ensure_commit(work_dir, commit)
    prefix = git(work_dir, "rev-parse", "--show-prefix").stdout.strip()
    parent = Path(tempfile.mkdtemp(prefix="awx-deploy-rollback-"))
    path = parent / "checkout"
    try:
        git(work_dir, "worktree", "add", "--detach", str(path), commit)
        project = path / prefix
        for name in SHARED_UNTRACKED:
            if (work_dir / name).exists() and not (project / name).exists():
                (project / name).symlink_to((work_dir / name).resolve())
        yield project
    finally:
        git(work_dir, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(parent, ignore_errors=True)
        git(work_dir, "worktree", "prune", check=False)
