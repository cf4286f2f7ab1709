"""How many cells of the leak table the run asserted (printed at the end)."""

from __future__ import annotations

total = 0


def count(cells: int) -> None:
    global total
    total += cells
