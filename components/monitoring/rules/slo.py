"""Service level objectives as Sloth-style recording rules and multi-window, multi-burn-rate
alerts (SRE workbook, Sloth's google-30d windows).

Per SLO: the error ratio over each window the alerts need (`slo:sli_error:ratio_rate5m` ...
`ratio_rate3d`), over the compliance window (the average of the 5m ratios, cheap over 30
days), the objective, and the error budget left. Both alerts share one name so Alertmanager's
inhibition (same alertname and namespace) silences the ticket while the page fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.monitoring.rules.alert import alert, record
from components.monitoring.targets import MonitoringTargets
from components.settings.monitoring import Slo

WINDOW_PLACEHOLDER = "{{.window}}"
BURN_ALERT = "AWXSloErrorBudgetBurn"


@dataclass(frozen=True)
class BurnRate:
    long: str
    short: str
    factor: float


PAGE = (BurnRate("1h", "5m", 14.4), BurnRate("6h", "30m", 6))
TICKET = (BurnRate("1d", "2h", 3), BurnRate("3d", "6h", 1))
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def slo_labels(slo: Slo, targets: MonitoringTargets) -> dict[str, str]:
    return {
        "sloth_service": targets.instance,
        "sloth_slo": slo.name,
        "slo": slo.name,
        "namespace": targets.namespace,
    }


def _matcher(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def sli_error_ratio(slo: Slo, window: str) -> str:
    """The SLO's error ratio over `window`: 0 when there were events and none was bad, and
    no sample at all when there were no events (a NaN would poison the averages over the
    compliance window, and idle time burns no budget).

    Both queries are summed into one series, so an SLO's queries may keep whatever labels
    they like."""
    error = slo.error_query.replace(WINDOW_PLACEHOLDER, window)
    total = slo.total_query.replace(WINDOW_PLACEHOLDER, window)
    return f"(sum({error}) or 0 * sum({total})) / (sum({total}) > 0)"


def _burn(ratio_labels: str, error_budget: float, rates: Sequence[BurnRate]) -> str:
    clauses = []
    for rate in rates:
        threshold = f"({rate.factor:g} * {error_budget:g})"
        clauses.append(
            f"(slo:sli_error:ratio_rate{rate.long}{ratio_labels} > {threshold}"
            f" and slo:sli_error:ratio_rate{rate.short}{ratio_labels} > {threshold})"
        )
    return " or ".join(clauses)


def _check_windowed(slo: Slo) -> None:
    # Without the placeholder every window would get the same range, and the short and
    # long windows of each burn-rate pair would agree by construction.
    for key in ("error_query", "total_query"):
        if WINDOW_PLACEHOLDER not in getattr(slo, key):
            raise ValueError(
                f"monitoring.slos ({slo.name}).{key}: must contain the range "
                f"[{WINDOW_PLACEHOLDER}], which each burn-rate window replaces"
            )


def slo_group(slo: Slo, targets: MonitoringTargets) -> dict[str, Any]:
    _check_windowed(slo)
    labels = slo_labels(slo, targets)
    match = _matcher(labels)
    objective = slo.objective / 100
    error_budget = round(1 - objective, 10)
    rules = [
        record(f"slo:sli_error:ratio_rate{window}", sli_error_ratio(slo, window), labels)
        for window in WINDOWS
    ]
    if slo.window not in WINDOWS:
        rules.append(
            record(
                f"slo:sli_error:ratio_rate{slo.window}",
                f"sum_over_time(slo:sli_error:ratio_rate5m{match}[{slo.window}])"
                f" / count_over_time(slo:sli_error:ratio_rate5m{match}[{slo.window}])",
                labels,
            )
        )
    rules += [
        record("slo:objective:ratio", f"vector({objective:g})", labels),
        record("slo:error_budget:ratio", f"vector({error_budget:g})", labels),
        record(
            "slo:error_budget_remaining:ratio",
            f"1 - slo:sli_error:ratio_rate{slo.window}{match} / {error_budget:g}",
            labels,
        ),
    ]
    what = slo.description or f"{slo.objective:g}% of events are good over {slo.window}"
    # The description is a Go template: text from the stack config must not open actions.
    what = what.replace("{{", "{ {").replace("}}", "} }")
    rules += [
        alert(
            BURN_ALERT,
            _burn(match, error_budget, PAGE),
            for_="2m",
            severity="critical",
            labels={**labels, "burn": "fast"},
            summary=f"SLO {slo.name} burns its error budget fast",
            description=(
                "SLO {{ $labels.slo }} in namespace {{ $labels.namespace }} "
                f"({what}) has an error ratio of {{{{ $value | humanizePercentage }}}}: at "
                f"this rate the {slo.window} error budget is gone in a small part of the "
                "window (1h/5m above 14.4x or 6h/30m above 6x the budget)."
            ),
        ),
        alert(
            BURN_ALERT,
            _burn(match, error_budget, TICKET),
            for_="15m",
            severity="warning",
            labels={**labels, "burn": "slow"},
            summary=f"SLO {slo.name} burns its error budget",
            description=(
                "SLO {{ $labels.slo }} in namespace {{ $labels.namespace }} "
                f"({what}) has an error ratio of {{{{ $value | humanizePercentage }}}}: the "
                f"{slo.window} error budget will not last the window (1d/2h above 3x or 3d/6h "
                "above 1x the budget)."
            ),
        ),
    ]
    return {"name": f"awx-slo-{slo.name}", "rules": rules}
