"""docs/dashboards.md names every dashboard and every panel the program generates."""

from __future__ import annotations

from pathlib import Path

from tests.dashboards.samples import all_models, panels

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboards.md"


def test_doc_names_every_dashboard_and_panel() -> None:
    text = DOC.read_text()
    for model in all_models().values():
        heading = "## " + model["title"].split(" (")[0]
        assert heading in text, heading
        for panel in panels(model):
            assert f"| {panel['title']} |" in text, panel["title"]
