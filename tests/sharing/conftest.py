"""Fixtures of the sharing-class tests; the helpers live in `vn_sharing`."""

from __future__ import annotations

from typing import Any

import pytest
from vn_sharing import make_agency, make_people


@pytest.fixture
def agencies(clean_db) -> dict[str, dict[str, Any]]:
    parent = make_agency("bo-y-te", "000.00.00.G10")
    owning = make_agency("cuc-y-te-du-phong", "000.01.00.G10", parent_agency=parent["id"])
    other = make_agency("bo-tai-chinh", "000.00.00.G09")
    return {"owning": owning, "parent": parent, "other": other}


@pytest.fixture
def people(agencies) -> dict[str, dict[str, Any] | None]:
    return make_people(agencies["owning"], agencies["parent"], agencies["other"])


def pytest_terminal_summary(terminalreporter) -> None:
    import leak_cells

    if leak_cells.total:
        terminalreporter.write_line(f"leak table: {leak_cells.total} cells asserted")
