"""`ckan search-index rebuild|clear|show|check` on the PostgreSQL index."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan

from search.helpers import names, search_as


def indexed_names() -> set[str]:
    model.Session.remove()
    rows = model.Session.execute(sa.text("SELECT name FROM vnopendata_search_index"))
    return {row.name for row in rows}


@pytest.mark.usefixtures("catalog")
def test_clear_check_rebuild_show(cli: Any, catalog: dict[str, Any]) -> None:
    everything = set(catalog["datasets"])
    assert indexed_names() == everything

    result = cli.invoke(ckan, ["search-index", "clear", "ngan-sach-2024"])
    assert result.exit_code == 0, result.output
    assert indexed_names() == everything - {"ngan-sach-2024"}

    result = cli.invoke(ckan, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    assert indexed_names() == set()
    assert search_as(None)["count"] == 0

    result = cli.invoke(ckan, ["search-index", "check"])
    assert result.exit_code == 0, result.output
    assert f"Packages not indexed = {len(everything)} out of {len(everything)}" in result.output

    result = cli.invoke(ckan, ["search-index", "rebuild", "-q"])
    assert result.exit_code == 0, result.output
    assert indexed_names() == everything
    assert "dan-so-ha-noi" in names(search_as(None, q="dan so"))

    result = cli.invoke(ckan, ["search-index", "check"])
    assert f"Packages not indexed = 0 out of {len(everything)}" in result.output

    result = cli.invoke(ckan, ["search-index", "show", "dan-so-ha-noi"])
    assert result.exit_code == 0, result.output
    assert "'name': 'dan-so-ha-noi'" in result.output
    assert "validated_data_dict" in result.output


@pytest.mark.usefixtures("catalog")
def test_rebuild_one_dataset_and_only_missing(cli: Any) -> None:
    cli.invoke(ckan, ["search-index", "clear", "giao-thong-ha-noi"])
    assert "giao-thong-ha-noi" not in indexed_names()
    result = cli.invoke(ckan, ["search-index", "rebuild", "-o", "-q"])
    assert result.exit_code == 0, result.output
    assert "giao-thong-ha-noi" in indexed_names()

    cli.invoke(ckan, ["search-index", "clear", "giao-thong-ha-noi"])
    result = cli.invoke(ckan, ["search-index", "rebuild", "giao-thong-ha-noi"])
    assert result.exit_code == 0, result.output
    assert "giao-thong-ha-noi" in indexed_names()
    stored = json.loads(
        search_as(None, q="name:giao-thong-ha-noi", fl="validated_data_dict")["results"][0][
            "validated_data_dict"
        ]
    )
    assert stored["name"] == "giao-thong-ha-noi"
