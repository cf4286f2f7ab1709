"""Point CKAN's search registries at the PostgreSQL backend.

CKAN 2.12 has no search-backend interface, but every caller looks these
names up at call time, so replacing them before the first request (from
``IConfigurer.update_config``, which also runs before CKAN's start-up Solr
check) swaps the engine without patching CKAN.
"""

from __future__ import annotations

from typing import Any

import ckan.lib.search as ckan_search

from ckanext.vnopendata.search import bulk
from ckanext.vnopendata.search.index_writer import PostgresPackageSearchIndex
from ckanext.vnopendata.search.package_query import PostgresPackageSearchQuery

BACKEND_OPTION = "ckanext.vnopendata.search.backend"


def _no_solr_schema(schema_file: str | None = None) -> bool:
    # CKAN's start-up check fetches Solr's schema; there is no Solr to ask.
    return False


def backend_name(config: Any) -> str:
    # Validated by config_declaration.yaml (one_of postgres, solr).
    return str(config.get(BACKEND_OPTION) or "postgres")


# CKAN's own registries, kept so that loading the plugins again with
# `solr` (tests, a reconfigured process) gives CKAN's stock search back.
_CKAN_ORIGINALS: dict[str, Any] = {
    "index": ckan_search._INDICES["package"],
    "query": ckan_search._QUERIES["package"],
    "PackageSearchQuery": ckan_search.PackageSearchQuery,
    "check_solr_schema_version": ckan_search.check_solr_schema_version,
    "rebuild": getattr(ckan_search.rebuild, "ckan_rebuild", ckan_search.rebuild),
}


def use_solr() -> None:
    """CKAN's stock Solr search, undoing `use_postgres` if it ran."""
    ckan_search._INDICES["package"] = _CKAN_ORIGINALS["index"]
    ckan_search._QUERIES["package"] = _CKAN_ORIGINALS["query"]
    ckan_search.PackageSearchQuery = _CKAN_ORIGINALS["PackageSearchQuery"]  # type: ignore[misc]
    ckan_search.check_solr_schema_version = _CKAN_ORIGINALS["check_solr_schema_version"]
    ckan_search.rebuild = _CKAN_ORIGINALS["rebuild"]


def use_postgres() -> None:
    ckan_search._INDICES["package"] = PostgresPackageSearchIndex
    ckan_search._QUERIES["package"] = PostgresPackageSearchQuery
    # model_dictize instantiates PackageSearchQuery directly (group/org
    # counts, tag_show).
    ckan_search.PackageSearchQuery = PostgresPackageSearchQuery  # type: ignore[misc]
    ckan_search.check_solr_schema_version = _no_solr_schema
    # `ckan search-index rebuild` imports `rebuild` at call time: the whole
    # index is rebuilt in batches, one dataset still goes through CKAN's path.
    # Wrap CKAN's function only once, however often the config is loaded.
    current = ckan_search.rebuild
    ckan_rebuild = getattr(current, "ckan_rebuild", current)
    ckan_search.rebuild = bulk.make_rebuild(ckan_rebuild)
