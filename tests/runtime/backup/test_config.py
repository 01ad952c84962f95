"""Bad settings exit 2 naming the flag and the variable, before any backup work."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from components.settings.backup import Retention
from runtime.backup.settings import RETENTION
from runtime.cli import build_parser
from tests.runtime.backup.fixtures import BackupRunner

BASE = {"AWX_DEPLOYMENT_NAME": "awx", "BACKUP_AGE_RECIPIENTS": ""}


@pytest.mark.parametrize(
    ("arguments", "env", "message"),
    [
        (("create",), {"AWX_DEPLOYMENT_NAME": ""}, "--deployment / AWX_DEPLOYMENT_NAME"),
        (("create",), {"BACKUP_COMPRESSION": "lz4"}, "--compression / BACKUP_COMPRESSION"),
        (("create",), {"BACKUP_ENCRYPTION": "rot13"}, "--encryption / BACKUP_ENCRYPTION"),
        (("create",), {}, "--age-recipients / BACKUP_AGE_RECIPIENTS: required"),
        (
            ("create",),
            {"BACKUP_AGE_RECIPIENTS": "age1notakey"},
            "--age-recipients / BACKUP_AGE_RECIPIENTS: age1notakey... is not",
        ),
        (("create",), {"BACKUP_ENCRYPTION": "aes-256"}, "BACKUP_AES_KEY_FILE"),
        (
            ("create",),
            {"BACKUP_ENCRYPTION": "aes-256", "BACKUP_AES_KEY_FILE": "/nonexistent/key"},
            "--aes-key-file / BACKUP_AES_KEY_FILE",
        ),
        (("create",), {"BACKUP_LOCK_TTL_SECONDS": "soon"}, "--lock-ttl / BACKUP_LOCK_TTL_SECONDS"),
        (("prune",), {"BACKUP_RETENTION_DAYS": "0"}, "--retention-days / BACKUP_RETENTION_DAYS"),
        (("verify", "latest"), {}, "--age-identity-file / BACKUP_AGE_IDENTITY_FILE"),
        (("restore", "latest"), {}, "--target-dsn / BACKUP_TARGET_DSN"),
        (("drill",), {}, "BACKUP_DRILL_TARGET_DSN"),
    ],
)
def test_bad_setting_exits_2_naming_flag_and_variable(
    *,
    arguments: tuple[str, ...],
    env: dict[str, str],
    message: str,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
) -> None:
    runner.env = {**BASE, **store_env("pvc"), **env}
    if arguments[0] == "prune":
        runner.env["BACKUP_AGE_RECIPIENTS"] = "x"
    result = runner(*arguments)
    assert result.status == 2
    assert message in result.error()


def test_aes_key_of_wrong_length_is_refused(runner: BackupRunner, tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("c2hvcnQ=\n")
    runner.env = {**BASE, "BACKUP_ENCRYPTION": "aes-256", "BACKUP_AES_KEY_FILE": str(key)}
    result = runner("create")
    assert result.status == 2
    assert "holds 5 bytes, an AES-256 key is 32" in result.error()


@pytest.mark.parametrize("command", ["create", "list", "verify", "restore", "prune", "drill"])
def test_help_lists_flags_with_their_variables(
    *, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["backup", command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag, variable in [
        ("--storage-type", "BACKUP_STORAGE_TYPE"),
        ("--compression", "BACKUP_COMPRESSION"),
        ("--pushgateway-url", "PUSHGATEWAY_URL"),
        ("--retention-days", "BACKUP_RETENTION_DAYS"),
    ]:
        assert flag in text
        assert variable in text
    for variable, default in [
        ("BACKUP_PART_SIZE_MIB", "8"),
        ("BACKUP_MAX_ATTEMPTS", "5"),
        ("BACKUP_RETRY_BASE_SECONDS", "0.5"),
        ("BACKUP_STORE_TIMEOUT_SECONDS", "60"),
    ]:
        assert re.search(rf"{variable}\s+\(default\s+{re.escape(default)}[,)]", text), variable


def test_retention_defaults_are_the_stack_configs() -> None:
    """A pod started without the variables keeps what `backup.retention` promises by default."""
    defaults = {option.dest: option.default for option in RETENTION}
    promised = Retention()
    assert defaults == {
        "days": str(promised.days),
        "max_backups": "",
        "daily": str(promised.daily),
        "weekly": str(promised.weekly),
        "monthly": str(promised.monthly),
        "yearly": str(promised.yearly),
        "min_backups": str(promised.min_backups),
    }
