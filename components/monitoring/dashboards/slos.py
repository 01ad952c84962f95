"""SLOs: error budget remaining, multi-window burn rates and SLI error ratios, per SLO.

The series come from the SLO recording rules (monitoring contract): `slo:sli_error:ratio_rate<w>`
for each window and `slo:error_budget_remaining:ratio`, labelled `slo=<name>`. A burn rate is the
error ratio divided by the error budget (1 - objective); the objectives are known when the
dashboard is generated, so each SLO's budget is a constant joined on `slo`, not another series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from components.monitoring.dashboards.model import Panel, Query, Row, Step

SLO_VARIABLE = "slo"
SLO_MATCHER = 'slo=~"$' + SLO_VARIABLE + '"'
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PAGE_WINDOWS = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
"""(long, short, burn factor) of the critical multi-window alerts (SRE workbook)."""
TICKET_WINDOWS = (("1d", "2h", 3.0), ("3d", "6h", 1.0))
"""(long, short, burn factor) of the warning multi-window alerts."""


def error_ratio(window: str, matcher: str) -> str:
    return f"slo:sli_error:ratio_rate{window}{{{matcher}}}"


def per_slo(values: Mapping[str, float]) -> str:
    """One constant series per SLO, `{slo=<name>}` = its value."""
    parts = [
        f'label_replace(vector({_number(value)}), "slo", "{name}", "", "")'
        for name, value in sorted(values.items())
    ]
    return " or ".join(parts)


def error_budgets(objectives: Mapping[str, float]) -> str:
    """Each SLO's error budget, 1 - objective (objectives in percent)."""
    return per_slo({name: 1 - objective / 100 for name, objective in objectives.items()})


def burn_rate(window: str, objectives: Mapping[str, float], matcher: str) -> str:
    return f"{error_ratio(window, matcher)} / on (slo) group_left () ({error_budgets(objectives)})"


def _number(value: float) -> str:
    # 1 - 99.5 / 100 is 0.0050000000000000044 in floating point; twelve places are plenty.
    return repr(round(value, 12))


def slo_rows(
    names: Sequence[str], objectives: Mapping[str, float], namespace: str
) -> tuple[Row, ...]:
    """`namespace` is the matcher of the AWX namespace: SLO names repeat across deployments."""
    matcher = f"{namespace}, {SLO_MATCHER}"
    known = {name: objectives[name] for name in names if name in objectives}
    rows = [_budget(known, matcher)]
    if known:
        rows.append(_burn_rates(known, matcher))
    rows.append(_error_ratios(matcher))
    return tuple(rows)


def _budget(objectives: Mapping[str, float], matcher: str) -> Row:
    query = Query(f"slo:error_budget_remaining:ratio{{{matcher}}}", "{{slo}}")
    steps = (Step("red"), Step("orange", 0), Step("green", 0.25))
    panels = [
        Panel(
            "Error budget remaining",
            "Share of the error budget left in the SLO's window (30d by default): 100% "
            "untouched, 0% spent, negative overspent. Below 25% slow down risky changes.",
            "percentunit",
            (query,),
            kind="stat",
            width=8,
            steps=steps,
        ),
        Panel(
            "Error budget remaining over time",
            "How fast the budget is being spent; a steep fall is what the burn-rate alerts "
            "catch early.",
            "percentunit",
            (query,),
            width=16,
            steps=steps,
            threshold_lines=True,
        ),
    ]
    if objectives:
        # Only SLOs that have budget series: the constant alone would show for any selection.
        objective = (
            f"({per_slo({name: value / 100 for name, value in objectives.items()})}) "
            f"and on (slo) slo:error_budget_remaining:ratio{{{matcher}}}"
        )
        panels = [
            Panel(
                "Objective",
                "The objective of each selected SLO: the share of good events it promises "
                "over its window. The error budget is the rest.",
                "percentunit",
                (Query(objective, "{{slo}}"),),
                kind="stat",
                width=4,
                steps=(Step("blue"),),
            ),
            replace(panels[0], width=6),
            replace(panels[1], width=14),
        ]
    return Row("Error budget", tuple(panels))


def _burn_panel(
    title: str,
    description: str,
    pairs: tuple[tuple[str, str, float], ...],
    objectives: Mapping[str, float],
    matcher: str,
) -> Panel:
    queries = []
    for long, short, _ in pairs:
        queries += [
            Query(burn_rate(long, objectives, matcher), "{{slo}} " + long),
            Query(burn_rate(short, objectives, matcher), "{{slo}} " + short),
        ]
    factors = sorted(factor for _, _, factor in pairs)
    return Panel(
        title,
        description,
        "suffix:x",
        tuple(queries),
        width=12,
        minimum=0,
        steps=(Step("green"), Step("orange", factors[0]), Step("red", factors[-1])),
        threshold_lines=True,
    )


def _burn_rates(objectives: Mapping[str, float], matcher: str) -> Row:
    return Row(
        "Burn rates",
        (
            _burn_panel(
                "Burn rate: page windows (1h/5m, 6h/30m)",
                "Error ratio divided by the error budget (1 = spending exactly the budget over "
                "the window). Pages when both 1h and 5m exceed 14.4, or both 6h and 30m exceed 6.",
                PAGE_WINDOWS,
                objectives,
                matcher,
            ),
            _burn_panel(
                "Burn rate: ticket windows (1d/2h, 3d/6h)",
                "Slow burns: a warning when both 1d and 2h exceed 3, or both 3d and 6h exceed 1 "
                "(the budget would be gone before the window ends).",
                TICKET_WINDOWS,
                objectives,
                matcher,
            ),
        ),
    )


def _error_ratios(matcher: str) -> Row:
    return Row(
        "SLI error ratio",
        (
            Panel(
                "SLI error ratio per window",
                "Bad events out of all events over each burn-rate window (recording rules "
                "slo:sli_error:ratio_rate5m ... ratio_rate3d).",
                "percentunit",
                tuple(
                    Query(error_ratio(window, matcher), "{{slo}} " + window) for window in WINDOWS
                ),
                width=24,
                minimum=0,
            ),
        ),
    )
