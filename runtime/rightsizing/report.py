"""The report in four formats: a rich table for people, JSON and YAML for tools, markdown for
a pull request body. JSON and YAML are {"recommendations": [...]} with the fields of
model.Recommendation.as_dict."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from ruamel.yaml import YAML

from runtime.rightsizing.advisor import Report

HEADERS = (
    "component",
    "container",
    "field",
    "current",
    "recommended",
    "confidence",
    "risk",
    "savings/month",
    "blocked by",
)


def _row(item: dict[str, object]) -> list[str]:
    return [
        str(item["component"]),
        str(item["container"]),
        str(item["field"]),
        str(item["current"]),
        str(item["recommended"]),
        f"{item['confidence']:.2f}",
        str(item["risk"]),
        f"{item['monthly_savings']:+.2f}",
        str(item["blocked_by"] or "-"),
    ]


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def as_yaml(report: Report) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buffer = io.StringIO()
    yaml.dump(report.as_dict(), buffer)
    return buffer.getvalue()


def _totals(report: Report) -> tuple[int, int, float]:
    items = report.as_dict()["recommendations"]
    applicable = [i for i in items if i["blocked_by"] is None]
    return len(items), len(applicable), sum(float(i["monthly_savings"]) for i in applicable)


def as_markdown(report: Report) -> str:
    items = report.as_dict()["recommendations"]
    total, applicable, saved = _totals(report)
    days = report.history.window_seconds / 86400
    lines = [
        "## Right-sizing recommendations",
        "",
        f"{total} recommendation{'s' if total != 1 else ''} from {days:g} days of Prometheus "
        f"history; {applicable} pass every gate, saving {saved:+.2f} per month "
        "(negative: costs more).",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines += [
        "| " + " | ".join(f"`{c}`" if i == 2 else c for i, c in enumerate(_row(item))) + " |"
        for item in items
    ]
    lines += ["", "### Why", ""]
    lines += [f"- `{item['field']}`: {item['reason']}" for item in items]
    return "\n".join(lines) + "\n"


def as_table(report: Report) -> str:
    table = Table(title="Right-sizing recommendations")
    for header in HEADERS:
        table.add_column(header)
    for item in report.as_dict()["recommendations"]:
        table.add_row(*_row(item))
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    console.print(table)
    total, applicable, saved = _totals(report)
    console.print(f"{applicable} of {total} pass every gate; savings {saved:+.2f} per month.")
    return buffer.getvalue()


FORMATS: dict[str, Callable[[Report], str]] = {
    "table": as_table,
    "json": as_json,
    "yaml": as_yaml,
    "markdown": as_markdown,
}
