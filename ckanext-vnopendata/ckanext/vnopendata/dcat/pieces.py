"""Each dataset's DCAT description, built once when the dataset is written.

`store` runs where the search index row is written (the package index's
`update_dict`, inside the action's transaction, before CKAN commits): the
same validated dict, the same profile, the same transaction. Pages and dumps
then concatenate stored text (`dcat.feed`).

Two pieces per dataset: `full` (with distributions and data services) and
`meta` (the dataset without them: no access, download or endpoint URL), for
callers who share only a `meta-` label with the dataset.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckanext.dcat.utils import dataset_uri
from rdflib import Graph, URIRef
from sqlalchemy.dialects.postgresql import insert

from ckanext.vnopendata.dcat import writers
from ckanext.vnopendata.dcat.profile import VnDcatApProfile, organization_cache
from ckanext.vnopendata.model.dcat import FORMATS, VARIANTS, dcat_piece_table

log = logging.getLogger(__name__)

BATCH = 500


def dataset_graph(dataset_dict: dict[str, Any], with_distributions: bool = True) -> Graph:
    """The dataset's triples, as the profile writes them for a catalogue."""
    # The plain in-memory store (no contexts): the profile only adds triples.
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    # The writers need no prefixes from the graph (see writers.PREFIXES).
    graph._vnopendata_bound = True  # type: ignore[attr-defined]
    if not with_distributions:
        dataset_dict = dict(dataset_dict, resources=[])
    VnDcatApProfile(graph).graph_from_dataset(dataset_dict, URIRef(dataset_uri(dataset_dict)))
    return graph


def build(dataset_dict: dict[str, Any]) -> dict[str, Any]:
    """The stored row of one dataset (validated show dict, custom schema)."""
    row: dict[str, Any] = {"package_id": dataset_dict["id"]}
    modified = dataset_dict.get("metadata_modified")
    row["metadata_modified"] = datetime.fromisoformat(modified) if modified else None
    full = writers.bodies(dataset_graph(dataset_dict, True))
    meta = (
        full
        if not dataset_dict.get("resources")
        else writers.bodies(dataset_graph(dataset_dict, False))
    )
    for fmt in FORMATS:
        row[f"full_{fmt}"] = full[fmt]
        row[f"meta_{fmt}"] = meta[fmt]
    return row


def _upsert(rows: list[dict[str, Any]], connection: Any = None) -> None:
    if not rows:
        return
    statement = insert(dcat_piece_table)
    statement = statement.on_conflict_do_update(
        index_elements=[dcat_piece_table.c.package_id],
        set_={key: statement.excluded[key] for key in rows[0] if key != "package_id"},
    )
    (connection or model.Session).execute(statement, rows)


def store(pkg_dict: dict[str, Any]) -> None:
    """Write (or remove) a dataset's pieces in the caller's transaction.

    `pkg_dict` is what CKAN hands the search index: the default-schema dict
    with the validated one under `with_custom_schema`.
    """
    data = pkg_dict.get("with_custom_schema") or pkg_dict
    if data.get("state") == "deleted" or (data.get("type") or "dataset") != "dataset":
        remove(data["id"])
        return
    try:
        row = build(data)
    except Exception:
        # A dataset the profile cannot describe must not fail the save: the
        # feed then builds it at read time (and logs the same error there).
        log.exception("DCAT piece of dataset %s could not be built", data.get("id"))
        remove(data["id"])
        return
    _upsert([row])


def remove(package_id: str) -> None:
    model.Session.execute(
        sa.delete(dcat_piece_table).where(dcat_piece_table.c.package_id == package_id)
    )


def fetch(package_ids: list[str], variant_of: dict[str, str], fmt: str) -> dict[str, str]:
    """Stored bodies of the given datasets in `fmt`, each in its variant."""
    if not package_ids:
        return {}
    table = dcat_piece_table
    meta_ids = [package_id for package_id in package_ids if variant_of.get(package_id) == "meta"]
    # One stored value read (and decompressed) per dataset: the caller's.
    body = (
        sa.case(
            (table.c.package_id.in_(meta_ids), table.c[f"meta_{fmt}"]), else_=table.c[f"full_{fmt}"]
        )
        if meta_ids
        else table.c[f"full_{fmt}"]
    )
    query = sa.select(table.c.package_id, body).where(table.c.package_id.in_(package_ids))
    return {package_id: text for package_id, text in model.Session.execute(query)}


# Bulk rebuild


def _validated_dicts(package_ids: list[str]) -> Iterator[dict[str, Any]]:
    """Validated show dicts in batches: from the PostgreSQL search index when
    it holds them (what package_show returns), else through package_show."""
    from ckanext.vnopendata.model.search import search_index_table

    engine = model.meta.engine
    inspector = sa.inspect(engine)
    use_index = inspector.has_table(search_index_table.name)
    for start in range(0, len(package_ids), BATCH):
        chunk = package_ids[start : start + BATCH]
        found: dict[str, dict[str, Any]] = {}
        if use_index:
            query = sa.select(search_index_table.c.id, search_index_table.c.data).where(
                search_index_table.c.id.in_(chunk)
            )
            found = {row.id: row.data for row in model.Session.execute(query)}
        for package_id in chunk:
            data = found.get(package_id)
            if data is None:
                from ckan.plugins import toolkit as tk

                try:
                    data = tk.get_action("package_show")(
                        {"ignore_auth": True, "use_cache": False}, {"id": package_id}
                    )
                except tk.ObjectNotFound:
                    continue
            yield data


def rebuild(package_ids: Iterable[str] | None = None, quiet: bool = True) -> int:
    """Rebuild the stored pieces of the given (default: all active) datasets.

    Written on a connection of its own and committed at the end, so the
    feed serves the old pieces until the new ones are complete.
    """
    if package_ids is None:
        query = sa.select(model.package_table.c.id).where(
            model.package_table.c.state == "active", model.package_table.c.type == "dataset"
        )
        ids = [row[0] for row in model.Session.execute(query.order_by(model.package_table.c.id))]
    else:
        ids = list(package_ids)
    done = 0
    rows: list[dict[str, Any]] = []
    with model.meta.engine.begin() as connection, organization_cache():
        if package_ids is None:
            connection.execute(sa.delete(dcat_piece_table))
        for data in _validated_dicts(ids):
            if isinstance(data, str):
                data = json.loads(data)
            rows.append(build(data))
            done += 1
            if len(rows) >= BATCH:
                _upsert(rows, connection)
                rows = []
                if not quiet:
                    sys.stdout.write(f"\rDCAT pieces {done}/{len(ids)}")
                    sys.stdout.flush()
        _upsert(rows, connection)
    if not quiet:
        sys.stdout.write(f"\rDCAT pieces {done}/{len(ids)}\n")
    return done


__all__ = ["VARIANTS", "build", "dataset_graph", "fetch", "rebuild", "remove", "store"]
