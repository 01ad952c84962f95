"""`awx-runtime forks enforce`: keep AWX's fork limits at their declared values.

Every `--interval` seconds (or once, with `--once`) it runs a reconciliation pass
(runtime/fork_reconcile.py) and serves its metrics on `--metrics-port` (9181). Failed passes
are logged and counted and the loop goes on: AWX restarting must not restart the enforcer.
With `--once` the exit status is 1 when any request failed.

Credentials: a token (AWX_TOKEN, or a file with --token-file / AWX_TOKEN_FILE), else basic auth
as AWX_USERNAME with AWX_PASSWORD (or --password-file / AWX_PASSWORD_FILE). Secrets are never
flags: a command line is visible to every process on the node.
"""

import argparse
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from runtime.awx_api import AwxApi, Credentials, RetryPolicy
from runtime.errors import ConfigurationError
from runtime.fork_reconcile import GroupLimits, Limits, Reconciler
from runtime.logs import log
from runtime.reconciliation_metrics import MetricsServer, ReconciliationMetrics

T = TypeVar("T")

OPTIONS = (
    ("--url", "AWX_API_URL", "AWX base URL without a path, e.g. http://awx-service.awx.svc:80"),
    ("--token-file", "AWX_TOKEN_FILE", "File with an AWX OAuth2 token (or the token in AWX_TOKEN)"),
    ("--username", "AWX_USERNAME", "User for basic auth; default admin"),
    ("--password-file", "AWX_PASSWORD_FILE", "File with the password (or it in AWX_PASSWORD)"),
    ("--ca-file", "AWX_CA_FILE", "CA bundle that AWX's TLS certificate is verified against"),
    ("--timeout", "AWX_TIMEOUT_SECONDS", "Seconds per request; default 10"),
    ("--attempts", "AWX_RETRY_ATTEMPTS", "Tries per request on transient errors; default 4"),
    ("--backoff", "AWX_RETRY_BACKOFF_SECONDS", "Seconds before the first retry, doubling; 0.5"),
    ("--max-forks", "AWX_MAX_FORKS", "MAX_FORKS, and the cap on every job template's forks"),
    ("--interval", "ENFORCE_INTERVAL_SECONDS", "Seconds between passes; default 60"),
    ("--metrics-address", "METRICS_ADDRESS", "Address of /metrics and /healthz; default 0.0.0.0"),
    ("--metrics-port", "METRICS_PORT", "Port of /metrics and /healthz, 0 picks one; default 9181"),
    ("--name", "AWX_DEPLOYMENT_NAME", "AWX resource name in metric labels; default awx"),
    ("--namespace", "AWX_NAMESPACE", "AWX namespace in metric labels; default awx"),
)
"""Flags with their environment-variable fallbacks."""


def register(groups: Any) -> None:
    forks = groups.add_parser("forks", help="Fork limits of AWX.")
    commands = forks.add_subparsers(dest="command", required=True, metavar="COMMAND")
    enforce = commands.add_parser(
        "enforce",
        help="Keep MAX_FORKS, instance-group limits and job-template forks at their values.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for flag, variable, text in OPTIONS:
        enforce.add_argument(flag, help=f"{text} (env {variable})")
    enforce.add_argument(
        "--instance-group",
        action="append",
        metavar="NAME=MAX_FORKS:MAX_CONCURRENT_JOBS",
        help="Limits of one instance group; repeatable (env AWX_INSTANCE_GROUPS, comma-separated)",
    )
    enforce.add_argument(
        "--once", action="store_true", help="Run one pass and exit (1 when a request failed)"
    )
    enforce.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="Change nothing, only report drift (env FORKS_DRY_RUN=true)",
    )
    enforce.set_defaults(handler=enforce_command)


@dataclass(frozen=True)
class EnforcerConfig:
    url: str
    credentials: Credentials
    ca_file: str | None
    timeout: float
    retry: RetryPolicy
    limits: Limits
    interval: float
    once: bool
    dry_run: bool
    metrics_address: str
    metrics_port: int
    name: str
    namespace: str


def enforce_command(args: argparse.Namespace) -> int:
    config = read_config(args)
    metrics = ReconciliationMetrics(config.name, config.namespace)
    with AwxApi(
        config.url,
        config.credentials,
        timeout_seconds=config.timeout,
        ca_file=config.ca_file,
        retry=config.retry,
    ) as api:
        reconciler = Reconciler(api, config.limits, metrics, config.dry_run)
        if config.once:
            return 1 if reconciler.run_pass().errors else 0
        return _loop(config, reconciler, metrics)


def _loop(config: EnforcerConfig, reconciler: Reconciler, metrics: ReconciliationMetrics) -> int:
    stop = threading.Event()

    def request_stop(signum: int, _: FrameType | None) -> None:
        log.info("stopping", extra={"event": "stopping", "signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    # A pass may retry every request; it is stale only after several missed intervals.
    server = MetricsServer(
        metrics, config.metrics_address, config.metrics_port, 3 * config.interval + 120
    )
    server.start()
    log.info(
        "serving metrics",
        extra={"event": "serving", "address": config.metrics_address, "port": server.port},
    )
    try:
        while not stop.is_set():
            reconciler.run_pass()
            stop.wait(config.interval)
    finally:
        server.stop()
    return 0


def read_config(args: argparse.Namespace) -> EnforcerConfig:
    """Flags first, then environment variables; one ConfigurationError per bad value."""
    url = _setting(args.url, "--url", "AWX_API_URL", str, None)
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"--url / AWX_API_URL must start with http:// or https://; got {url!r}"
        )
    interval = _setting(
        args.interval, "--interval", "ENFORCE_INTERVAL_SECONDS", _positive(float), 60.0
    )
    dry_run = args.dry_run if args.dry_run is not None else _env_flag("FORKS_DRY_RUN")
    return EnforcerConfig(
        url=url,
        credentials=_credentials(args),
        ca_file=_setting(args.ca_file, "--ca-file", "AWX_CA_FILE", _existing_file, "") or None,
        timeout=_setting(args.timeout, "--timeout", "AWX_TIMEOUT_SECONDS", _positive(float), 10.0),
        retry=RetryPolicy(
            attempts=_setting(args.attempts, "--attempts", "AWX_RETRY_ATTEMPTS", _positive(int), 4),
            backoff_seconds=_setting(
                args.backoff, "--backoff", "AWX_RETRY_BACKOFF_SECONDS", _at_least_zero(float), 0.5
            ),
        ),
        limits=Limits(
            max_forks=_setting(
                args.max_forks, "--max-forks", "AWX_MAX_FORKS", _positive(int), None
            ),
            groups=_groups(args.instance_group),
        ),
        interval=interval,
        once=bool(args.once),
        dry_run=dry_run,
        metrics_address=_setting(
            args.metrics_address, "--metrics-address", "METRICS_ADDRESS", str, "0.0.0.0"
        ),
        metrics_port=_setting(args.metrics_port, "--metrics-port", "METRICS_PORT", _port, 9181),
        name=_setting(args.name, "--name", "AWX_DEPLOYMENT_NAME", str, "awx"),
        namespace=_setting(args.namespace, "--namespace", "AWX_NAMESPACE", str, "awx"),
    )


def _setting(
    flag_value: str | None, flag: str, variable: str, parse: Callable[[str], T], default: T | None
) -> T:
    raw = flag_value if flag_value is not None else os.environ.get(variable)
    if raw is None or raw == "":
        if default is None:
            raise ConfigurationError(f"{flag} / {variable} is required")
        return default
    try:
        return parse(raw)
    except ValueError as error:
        raise ConfigurationError(f"{flag} / {variable}: {error}") from None


def _positive(kind: Callable[[str], T]) -> Callable[[str], T]:
    def parse(text: str) -> T:
        value = _number(kind, text)
        if value <= 0:  # type: ignore[operator]
            raise ValueError(f"must be larger than zero; got {text!r}")
        return value

    return parse


def _at_least_zero(kind: Callable[[str], T]) -> Callable[[str], T]:
    def parse(text: str) -> T:
        value = _number(kind, text)
        if value < 0:  # type: ignore[operator]
            raise ValueError(f"must not be negative; got {text!r}")
        return value

    return parse


def _number(kind: Callable[[str], T], text: str) -> T:
    try:
        return kind(text)
    except ValueError:
        name = getattr(kind, "__name__", "number")
        raise ValueError(f"{text!r} is not a{'n' if name == 'int' else ''} {name}") from None


def _port(text: str) -> int:
    value = _number(int, text)
    if not 0 <= value <= 65535:
        raise ValueError(f"must be a port number 0-65535; got {text!r}")
    return value


def _existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise ValueError(f"no such file {text!r}")
    return text


def _env_flag(variable: str) -> bool:
    raw = os.environ.get(variable, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ConfigurationError(f"--dry-run / {variable} must be true or false; got {raw!r}")


def _groups(flags: list[str] | None) -> tuple[GroupLimits, ...]:
    if flags:
        entries, source = flags, "--instance-group"
    else:
        raw = os.environ.get("AWX_INSTANCE_GROUPS", "")
        entries, source = [e for e in raw.split(",") if e.strip()], "AWX_INSTANCE_GROUPS"
    return tuple(_group(entry.strip(), source) for entry in entries)


def _group(entry: str, source: str) -> GroupLimits:
    name, _, limits = entry.partition("=")
    forks, _, jobs = limits.partition(":")
    if not name or not forks.isdigit() or not jobs.isdigit():
        raise ConfigurationError(
            f"{source}: {entry!r} is not NAME=MAX_FORKS:MAX_CONCURRENT_JOBS (e.g. default=200:10)"
        )
    return GroupLimits(name=name, max_forks=int(forks), max_concurrent_jobs=int(jobs))


def _credentials(args: argparse.Namespace) -> Credentials:
    token = _secret(args.token_file, "--token-file", "AWX_TOKEN_FILE", "AWX_TOKEN")
    if token is not None:
        return Credentials(token=token)
    password = _secret(args.password_file, "--password-file", "AWX_PASSWORD_FILE", "AWX_PASSWORD")
    if password is None:
        raise ConfigurationError(
            "no AWX credentials: set AWX_TOKEN (or --token-file / AWX_TOKEN_FILE), or "
            "AWX_PASSWORD (or --password-file / AWX_PASSWORD_FILE) with AWX_USERNAME"
        )
    username = _setting(args.username, "--username", "AWX_USERNAME", str, "admin")
    return Credentials(username=username, password=password)


def _secret(flag_value: str | None, flag: str, file_variable: str, variable: str) -> str | None:
    path = flag_value or os.environ.get(file_variable)
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as error:
            raise ConfigurationError(
                f"{flag} / {file_variable}: cannot read {path!r} ({error.strerror})"
            ) from None
        if not value:
            raise ConfigurationError(f"{flag} / {file_variable}: {path!r} is empty")
        return value
    return os.environ.get(variable) or None
