"""Kubernetes quantities as the advisor reads them from stack files and writes them back.

runtime/ may not import components/ (the layering contract), so the parser the config models
use cannot be shared; this one accepts the same forms and is tested against the same cases.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
MIB = 1 << 20


def parse(text: str | int | float) -> float:
    """The value of a quantity (cores or bytes); ValueError names the accepted forms."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    match = _QUANTITY.fullmatch(str(text).strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a Kubernetes quantity; use e.g. 500m, 0.5, 2, 512Mi or 4Gi"
        )
    number = Decimal(match["number"])
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return float(number * (1 << _BINARY[suffix]))
    if suffix in _DECIMAL:
        return float(number.scaleb(_DECIMAL[suffix]))
    return float(number.scaleb(int(suffix[1:])))


def cpu(cores: float) -> str:
    """Cores rounded up to whole millicores: `1500m` -> "1500m", whole cores as "2"."""
    millicores = max(1, math.ceil(round(cores * 1000, 6)))
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def memory(size: float) -> str:
    """Bytes rounded up to whole mebibytes; whole gibibytes as "2Gi"."""
    mebibytes = max(1, math.ceil(round(size / MIB, 6)))
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


def formatted(resource: str, value: float) -> str:
    return cpu(value) if resource == "cpu" else memory(value)
