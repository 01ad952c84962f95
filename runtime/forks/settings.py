"""Settings of `forks enforce`: flags with environment fallbacks (runtime/options.py)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from runtime.awx_api import Credentials, retry_policy
from runtime.errors import ConfigurationError
from runtime.forks.reconcile import GroupLimits, Limits
from runtime.kubernetes_api import Connection, connection_from, connection_options
from runtime.options import Option, OptionValues
from runtime.retry import RetryPolicy

CREDENTIALS_HELP = """\
Credentials: a token (AWX_TOKEN, or a file with --token-file / AWX_TOKEN_FILE), else basic auth
as AWX_USERNAME with AWX_PASSWORD (or --password-file / AWX_PASSWORD_FILE). Secrets are never
flags: a command line is visible to every process on the node."""

OPTIONS = (
    Option(
        "url",
        "--url",
        "AWX_API_URL",
        "AWX base URL without a path, e.g. http://awx-service.awx.svc:80",
    ),
    Option("token_file", "--token-file", "AWX_TOKEN_FILE", "file with an AWX OAuth2 token", ""),
    Option("username", "--username", "AWX_USERNAME", "user for basic auth", "admin"),
    Option("password_file", "--password-file", "AWX_PASSWORD_FILE", "file with the password", ""),
    Option("ca_file", "--ca-file", "AWX_CA_FILE", "CA bundle AWX's TLS is verified against", ""),
    Option("timeout", "--timeout", "AWX_TIMEOUT_SECONDS", "seconds per request", "10"),
    Option("attempts", "--attempts", "AWX_RETRY_ATTEMPTS", "tries per request", "4"),
    Option(
        "backoff",
        "--backoff",
        "AWX_RETRY_BACKOFF_SECONDS",
        "seconds before the first retry, doubling",
        "0.5",
    ),
    Option("max_forks", "--max-forks", "AWX_MAX_FORKS", "MAX_FORKS, the cap on templates' forks"),
    Option(
        "instance_groups",
        "--instance-group",
        "AWX_INSTANCE_GROUPS",
        "NAME=MAX_FORKS:MAX_CONCURRENT_JOBS of one instance group; repeatable (env: "
        "comma-separated)",
        "",
        repeatable=True,
        metavar="NAME=MAX_FORKS:MAX_CONCURRENT_JOBS",
    ),
    Option("interval", "--interval", "ENFORCE_INTERVAL_SECONDS", "seconds between passes", "60"),
    Option(
        "metrics_address",
        "--metrics-address",
        "METRICS_ADDRESS",
        "address of /metrics and /healthz",
        "0.0.0.0",
    ),
    Option(
        "metrics_port", "--metrics-port", "METRICS_PORT", "port of /metrics, 0 picks one", "9181"
    ),
    Option("name", "--name", "AWX_DEPLOYMENT_NAME", "AWX resource name in metric labels", "awx"),
    Option("namespace", "--namespace", "AWX_NAMESPACE", "AWX namespace in metric labels", "awx"),
    Option(
        "dry_run",
        "--dry-run",
        "FORKS_DRY_RUN",
        "change nothing, only report drift",
        "false",
        switch=True,
    ),
    *connection_options("FORKS", "ForkLimitCorrected Events on the AWX resource"),
)
"""Flags with their environment-variable fallbacks."""


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
    kube: Connection


def read_config(args: argparse.Namespace) -> EnforcerConfig:
    """Flags first, then environment variables; one ConfigurationError per bad value."""
    values = OptionValues(args, OPTIONS)
    url = values.text("url")
    if not url.startswith(("http://", "https://")):
        raise values.error("url", f"must start with http:// or https://; got {url!r}")
    return EnforcerConfig(
        url=url,
        credentials=_credentials(values),
        ca_file=values.existing_file("ca_file"),
        timeout=values.positive("timeout", float),
        retry=retry_policy(values.positive("attempts", int), values.non_negative("backoff", float)),
        limits=Limits(
            max_forks=values.positive("max_forks", int),
            groups=tuple(_group(values, entry) for entry in values.items("instance_groups")),
        ),
        interval=values.positive("interval", float),
        once=bool(args.once),
        dry_run=values.boolean("dry_run"),
        metrics_address=values.text("metrics_address"),
        metrics_port=values.port("metrics_port"),
        name=values.text("name"),
        namespace=values.text("namespace"),
        kube=connection_from(values),
    )


def _group(values: OptionValues, entry: str) -> GroupLimits:
    name, _, limits = entry.partition("=")
    forks, _, jobs = limits.partition(":")
    if not name or not forks.isdigit() or not jobs.isdigit():
        raise values.error(
            "instance_groups",
            f"{entry!r} is not NAME=MAX_FORKS:MAX_CONCURRENT_JOBS (e.g. default=200:10)",
        )
    return GroupLimits(name=name, max_forks=int(forks), max_concurrent_jobs=int(jobs))


def _credentials(values: OptionValues) -> Credentials:
    token = values.secret("token_file", "AWX_TOKEN")
    if token is not None:
        return Credentials(token=token)
    password = values.secret("password_file", "AWX_PASSWORD")
    if password is None:
        raise ConfigurationError(
            "no AWX credentials: set AWX_TOKEN (or --token-file / AWX_TOKEN_FILE), or "
            "AWX_PASSWORD (or --password-file / AWX_PASSWORD_FILE) with AWX_USERNAME"
        )
    return Credentials(username=values.text("username"), password=password)
