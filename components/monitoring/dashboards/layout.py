"""Places panels on Grafana's 24-column grid: left to right, wrapping, never overlapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GRID_COLUMNS = 24


@dataclass(frozen=True)
class Box:
    width: int
    height: int
    new_line: bool = False
    """Start at column 0 below everything placed so far (row headers)."""

    def __post_init__(self) -> None:
        if not 1 <= self.width <= GRID_COLUMNS:
            raise ValueError(f"panel width {self.width} is outside 1..{GRID_COLUMNS}")
        if self.height < 1:
            raise ValueError(f"panel height {self.height} is below 1")


def pack(boxes: Sequence[Box]) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) per box, in order.

    A box that does not fit the current line starts a new line below the tallest box of the
    current one, so boxes of unequal heights on one line leave a gap rather than overlap.
    """
    placed: list[tuple[int, int, int, int]] = []
    x = y = line_height = 0
    for box in boxes:
        if (box.new_line and x > 0) or x + box.width > GRID_COLUMNS:
            y += line_height
            x = line_height = 0
        placed.append((x, y, box.width, box.height))
        x += box.width
        line_height = max(line_height, box.height)
    return placed
