"""With `ckanext.vnopendata.search.backend = solr` the plugin steps aside.

The tag look-ups (`tag_list`, `tag_search`, `tag_autocomplete`) of the
PostgreSQL backend read its index table, which Solr deployments never write.
Under Solr they must be CKAN's own actions (which read the tag table), and
CKAN's search registries must be CKAN's own classes again.

The datasets are created with the PostgreSQL backend (there is no Solr
server to index into here); then the PostgreSQL index table is emptied, so a
tag can only come from somewhere that is not that index, and the plugins are
loaded again with the backend set to `solr`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ckan.lib.search as ckan_search
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.lib.search.index import PackageSearchIndex
from ckan.lib.search.query import PackageSearchQuery
from ckan.tests import helpers as test_helpers

from ckanext.vnopendata.model.search import TABLE_NAME
from ckanext.vnopendata.search import swap
from search.helpers import make_dataset, make_organization


@pytest.fixture
def load_backend() -> Iterator[Callable[[str], None]]:
    previous = tk.config.get(swap.BACKEND_OPTION)

    def load(name: str) -> None:
        tk.config[swap.BACKEND_OPTION] = name
        plugins.unload_all()
        plugins.load_all()

    yield load
    load(previous or "postgres")


@pytest.fixture
def tagged(clean_db: Any) -> None:
    agency = make_organization("H26.01", name="so-y-te", title="Sở Y tế")
    make_dataset(
        name="co-so-y-te",
        title="Cơ sở y tế",
        owner_org=agency["id"],
        tags=[{"name": "bệnh viện"}, {"name": "trạm y tế"}],
    )
    model.Session.execute(sa.text(f"TRUNCATE {TABLE_NAME}"))
    model.Session.commit()


def _all_tag_actions(query: str) -> dict[str, Any]:
    context = {"user": "", "ignore_auth": False}
    search = test_helpers.call_action("tag_search", context=dict(context), query=query)
    return {
        "tag_list": test_helpers.call_action("tag_list", context=dict(context), query=query),
        "tag_search": sorted(tag["name"] for tag in search["results"]),
        "tag_autocomplete": test_helpers.call_action(
            "tag_autocomplete", context=dict(context), q=query
        ),
    }


def test_under_solr_the_tag_actions_are_ckans_and_read_the_tag_table(tagged, load_backend):
    # The PostgreSQL actions read the (now empty) index table: nothing.
    load_backend("postgres")
    assert _all_tag_actions("benh") == {"tag_list": [], "tag_search": [], "tag_autocomplete": []}

    load_backend("solr")
    for name in ("tag_list", "tag_search", "tag_autocomplete"):
        action = tk.get_action(name)
        assert "ckanext.vnopendata" not in getattr(action, "__module__", ""), name
    # CKAN's own actions match with ILIKE on the tag table (no folding).
    assert _all_tag_actions("bệnh") == {
        "tag_list": ["bệnh viện"],
        "tag_search": ["bệnh viện"],
        "tag_autocomplete": ["bệnh viện"],
    }
    # The folding organisation autocomplete does not depend on the engine.
    found = test_helpers.call_action("organization_autocomplete", q="so y te")
    assert [org["name"] for org in found] == ["so-y-te"]


def test_under_solr_ckans_search_classes_are_back(load_backend):
    load_backend("solr")
    # CKAN's own index class (the DCAT pieces wrap it without changing it).
    assert isinstance(ckan_search.index_for("package"), PackageSearchIndex)
    assert type(ckan_search.query_for("package")) is PackageSearchQuery
    assert ckan_search.PackageSearchQuery is PackageSearchQuery
    load_backend("postgres")
    from ckanext.vnopendata.search.index_writer import PostgresPackageSearchIndex

    assert isinstance(ckan_search.index_for("package"), PostgresPackageSearchIndex)
