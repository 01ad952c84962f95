"""Shared building blocks for the config models: strict sections and validated scalar types."""

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from components.settings.cron import validate_cron
from components.settings.quantity import parse_quantity


class Section(BaseModel):
    """A config section: unknown keys are errors, values are frozen once validated.

    Field docstrings become the field descriptions that docs/configuration.md and the
    Pulumi.yaml key reference are generated from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class FieldError(ValueError):
    """A cross-field problem, pinned to the field (relative to the section) it is reported on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _stringify_number(value: Any) -> Any:
    # YAML turns `cpu: 1` into an int; Kubernetes accepts it, so do we.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _non_negative_quantity(text: str) -> str:
    if parse_quantity(text) < 0:
        raise ValueError(f"{text!r} is negative; resource quantities must be zero or more")
    return text


def _positive_quantity(text: str) -> str:
    if parse_quantity(text) <= 0:
        raise ValueError(f"{text!r} must be larger than zero")
    return text


Quantity = Annotated[
    str, BeforeValidator(_stringify_number), AfterValidator(_non_negative_quantity)
]
"""A Kubernetes quantity such as 500m, 2, 512Mi or 4Gi."""

PositiveQuantity = Annotated[
    str, BeforeValidator(_stringify_number), AfterValidator(_positive_quantity)
]
"""A Kubernetes quantity larger than zero (volume sizes)."""

CronSchedule = Annotated[str, AfterValidator(validate_cron)]
"""A five-field cron expression or descriptor, as Kubernetes CronJobs accept."""

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _matching(pattern: re.Pattern[str], max_length: int, rule: str) -> AfterValidator:
    def check(text: str) -> str:
        if len(text) > max_length or not pattern.fullmatch(text):
            raise ValueError(f"{text!r} is not {rule}")
        return text

    return AfterValidator(check)


DnsLabel = Annotated[
    str,
    _matching(
        _DNS_LABEL,
        63,
        "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a "
        "letter or digit, at most 63 characters",
    ),
]
"""A Kubernetes object name that must be a DNS-1123 label (namespaces, services)."""

DnsName = Annotated[
    str,
    _matching(
        _DNS_NAME,
        253,
        "a DNS-1123 subdomain: dot-separated lower-case labels, at most 253 characters "
        "(e.g. awx.example.com)",
    ),
]
"""A DNS-1123 subdomain: Secret names, hostnames."""

_PROMETHEUS_DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def _prometheus_duration(text: str) -> str:
    if not _PROMETHEUS_DURATION.fullmatch(text) or set(text) <= set("0msdhwy"):
        raise ValueError(f"{text!r} is not a Prometheus duration; use e.g. 5m, 6h, 15d, 30d or 1y")
    return text


PrometheusDuration = Annotated[str, AfterValidator(_prometheus_duration)]
"""A Prometheus duration such as 15d or 6h."""

IMAGE_REPOSITORY = r"^([a-z0-9.-]+(:\d+)?/)?[a-z0-9._-]+(/[a-z0-9._-]+)*$"
"""An image repository without tag or digest, e.g. quay.io/ansible/awx."""

_IMAGE_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


def _pinned_tag(text: str) -> str:
    if not _IMAGE_TAG.fullmatch(text) or text == "latest":
        raise ValueError(
            f"{text!r} is not a pinned image tag; give a release such as 24.6.1 ('latest' "
            "is refused: it changes under a running deployment)"
        )
    return text


ImageTag = Annotated[str, AfterValidator(_pinned_tag)]
"""A container image tag that names one release (never `latest`)."""

_IMAGE_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _digest(text: str) -> str:
    if not _IMAGE_DIGEST.fullmatch(text):
        raise ValueError(
            f"{text!r} is not an image digest; give sha256: and 64 lowercase hex digits, as "
            "`skopeo inspect --format '{{.Digest}}' docker://IMAGE:TAG` prints it"
        )
    return text


ImageDigest = Annotated[str, AfterValidator(_digest)]
"""A content digest (sha256:...) that pins an image to one exact build."""


def by_digest(reference: str, digest: str | None) -> str:
    """`reference@digest` when a digest is given (the node pulls exactly that build; the tag
    stays for people), else the reference as it is."""
    return f"{reference}@{digest}" if digest else reference


def quantity_value(text: str | None) -> Decimal | None:
    """The numeric value of an optional, already validated quantity."""
    return None if text is None else parse_quantity(text)
