"""Stable paging while the catalogue changes, and the dump and rebuild
commands."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.tests.helpers as helpers
import pytest
import sqlalchemy as sa
from ckanext.dcat.processors import RDFParser
from dcat_helpers import visible_names
from rdflib import Graph
from rdflib.namespace import RDF

from ckanext.vnopendata import demo
from ckanext.vnopendata.dcat import vocabularies
from ckanext.vnopendata.model.dcat import dcat_piece_table

pytestmark = pytest.mark.usefixtures("with_request_context")

SITE = "http://127.0.0.1:5000"


def _page(app: Any, url: str) -> tuple[list[str], str | None]:
    response = app.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    parser = RDFParser(profiles=["vn_dcat_ap"])
    parser.parse(response.get_data(as_text=True), _format="ttl")
    names = [d["name"] for d in parser.datasets()]
    following = parser.next_page()
    return names, following[len(SITE) :] if following else None


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "5")
def test_a_walk_sees_every_dataset_that_existed_at_its_start_exactly_once(app, demo_catalog):
    context = {"ignore_auth": True, "user": demo_catalog["sysadmin"]["name"]}
    at_start = visible_names(None)
    first, url = _page(app, "/catalog.ttl")
    seen = list(first)
    # While the harvester walks: a dataset it has seen is deleted (offset
    # paging would then skip one), one it has not seen yet is changed (it
    # would move under a sort by modification), a new one is created.
    helpers.call_action("package_delete", context=dict(context), id=first[0])
    later = sorted(at_start - set(first))[0]
    helpers.call_action(
        "package_patch",
        context=dict(context),
        id=later,
        title_translated={"vi": "Đã sửa trong lúc thu thập", "en": "Changed while harvesting"},
    )
    record = next(r for r in demo.dataset_records() if r["sharing_class"] == "open")
    helpers.call_action(
        "package_create",
        context=dict(context),
        **dict(record, name="bo-du-lieu-moi-trong-luc-thu-thap"),
    )
    while url:
        names, url = _page(app, url)
        seen.extend(names)
    assert len(seen) == len(set(seen))
    assert set(seen) == at_start
    assert "bo-du-lieu-moi-trong-luc-thu-thap" not in seen
    # A new walk sees the catalogue as it is now.
    fresh: list[str] = []
    url = "/catalog.ttl"
    while url:
        names, url = _page(app, url)
        fresh.extend(names)
    assert set(fresh) == visible_names(None)
    assert "bo-du-lieu-moi-trong-luc-thu-thap" in fresh


def _total(app: Any, url: str) -> int:
    response = app.get(url)
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    return int(next(graph.objects(None, vocabularies.HYDRA.totalItems)))


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "5")
def test_every_page_of_a_walk_gives_the_total_at_its_start(app, demo_catalog):
    from ckanext.vnopendata.search.package_query import count_not_needed

    context = {"ignore_auth": True, "user": demo_catalog["sysadmin"]["name"]}
    at_start = visible_names(None)
    assert _total(app, "/catalog.ttl") == len(at_start)
    first, url = _page(app, "/catalog.ttl")
    assert url is not None
    # A dataset the walk has not reached is deleted: the pages that follow
    # keep the walk's total (kept from its first page, not counted again).
    unseen = sorted(at_start - set(first))[0]
    helpers.call_action("package_delete", context=dict(context), id=unseen)
    assert _total(app, url) == len(at_start)
    # A new walk counts the catalogue as it is now.
    assert _total(app, "/catalog.ttl") == len(at_start) - 1
    # The search the later pages make: no count of its own.
    with count_not_needed():
        found = helpers.call_action(
            "package_search", context={"user": "", "ignore_auth": False}, q="*:*", rows=3,
            sort="metadata_created asc, name asc",
        )  # fmt: skip
    assert found["count"] is None and len(found["results"]) == 3


@pytest.mark.parametrize(
    ("fmt", "parse_as"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_dump_writes_the_visible_catalogue(cli, demo_catalog, tmp_path, fmt, parse_as):
    from ckanext.vnopendata.cli import vnopendata

    output = tmp_path / f"catalog.{fmt}"
    result = cli.invoke(vnopendata, ["dcat", "dump", "--format", fmt, "--output", str(output)])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(output, format=parse_as)
    datasets = set(graph.subjects(RDF.type, vocabularies.DCAT.Dataset))
    assert len(datasets) == len(visible_names(None))
    official = cli.invoke(
        vnopendata, ["dcat", "dump", "--format", fmt, "--user", demo_catalog["official"]["name"]]
    )
    assert official.exit_code == 0, official.output
    graph = Graph().parse(data=official.output, format=parse_as)
    assert len(set(graph.subjects(RDF.type, vocabularies.DCAT.Dataset))) == len(
        visible_names(demo_catalog["official"]["name"])
    )


def test_rebuild_restores_every_piece(cli, demo_catalog):
    from ckanext.vnopendata.cli import vnopendata

    model.Session.execute(sa.delete(dcat_piece_table))
    model.Session.commit()
    result = cli.invoke(vnopendata, ["dcat", "rebuild"])
    assert result.exit_code == 0, result.output
    active = model.Session.query(model.Package).filter_by(state="active", type="dataset").count()
    assert f"Rebuilt the DCAT pieces of {active} datasets." in result.output
    stored = model.Session.execute(
        sa.select(sa.func.count()).select_from(dcat_piece_table)
    ).scalar()
    assert stored == active


@pytest.mark.ckan_config("ckan.search.rows_max", "12")
def test_a_dump_walks_every_batch_whatever_the_search_row_limit(demo_catalog):
    from ckanext.vnopendata.dcat import feed

    visible = helpers.call_action(
        "package_search", context={"user": "", "ignore_auth": False}, q="*:*", rows=0,
        include_private=True,
    )["count"]  # fmt: skip
    for batch in (5, 900):
        text = "".join(feed.dump(feed.caller_for(None), "nt", batch=batch))
        graph = Graph().parse(data=text, format="nt")
        datasets = set(graph.subjects(RDF.type, vocabularies.DCAT.Dataset))
        assert len(datasets) == visible > 12
