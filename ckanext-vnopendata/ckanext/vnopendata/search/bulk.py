"""Whole-index rebuild in batches: `ckan search-index rebuild` at scale.

CKAN's ``lib.search.rebuild`` indexes one dataset at a time through
``package_show`` (about fifteen queries, navl validation twice, one INSERT):
some 50 datasets a second. `rebuild` keeps that path for one dataset or an
explicit list, and for the whole index does, per batch of
``ckanext.vnopendata.search.bulk_batch_size`` datasets (1000):

1. one query per related table (packages as ORM objects, resources, tags,
   groups, organisations, relationships) for the whole batch, then the dict
   built with CKAN's own dictize functions exactly as ``package_dictize``
   builds it; group and organisation dicts, identical for every dataset that
   shares them, are built once;
2. the default and the custom (scheming) show schemas applied by
   `showschema.ShowConverter` instead of navl (navl for anything it does not
   model, and as a check on one dataset per batch);
3. `index.row_fields`, the same code the per-dataset path uses, and one
   INSERT ... ON CONFLICT for the batch, the vectors computed by the same SQL.

Rows are written in the caller's session and committed at the end, as CKAN's
rebuild does.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import queue
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import Any

import ckan.lib.dictization as d
import ckan.lib.dictization.model_dictize as model_dictize
import ckan.lib.helpers as h
import ckan.lib.navl.dictization_functions as df
import ckan.lib.plugins as lib_plugins
import ckan.logic as logic
import ckan.model as model
import ckan.plugins as plugins
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search import index_for, query_for
from ckan.logic.schema import default_show_package_schema

from ckanext.vnopendata.model.search import TABLE_NAME, TEXT_TABLE_NAME, search_index_table
from ckanext.vnopendata.search import index_writer, ranking
from ckanext.vnopendata.search import sql as sql_fragments
from ckanext.vnopendata.search.showschema import (
    ShowConverter,
    Unsupported,
    scheming_show_schema,
)

log = logging.getLogger(__name__)

BATCH_OPTION = "ckanext.vnopendata.search.bulk_batch_size"
SHORTCUTS_OPTION = "ckanext.vnopendata.search.bulk_shortcuts"
RebuildFunction = Callable[..., None]

# Every stored column of the table declaration, in its order; generated
# columns (facet_keys) are PostgreSQL's to fill.
_COLUMNS = tuple(column.name for column in search_index_table.columns if column.computed is None)


def _vector_sql(folded: bool) -> str:
    # The per-dataset path's vector (index_writer.row_values), over the
    # batch's JSON.
    return sql_fragments.weighted_vector({w: f"(r ->> 'w{w}')" for w in "ABCD"}, folded)


def _array_sql(key: str) -> str:
    return f"ARRAY(SELECT jsonb_array_elements_text(r -> '{key}'))"


_SELECT = {
    **{key: f"(r ->> '{key}')" for key in _COLUMNS},
    "groups": _array_sql("groups"),
    "tags": _array_sql("tags"),
    "res_format": _array_sql("res_format"),
    "permission_labels": _array_sql("permission_labels"),
    "metadata_created": "CAST(r ->> 'metadata_created' AS timestamp)",
    "metadata_modified": "CAST(r ->> 'metadata_modified' AS timestamp)",
    "doc": "(r -> 'doc')",
    "data": "(r -> 'data')",
    "data_dict": "NULLIF(r -> 'data_dict', 'null'::jsonb)",
    "exact_doc": "(r -> 'exact_doc')",
    "search_vector": _vector_sql(folded=True),
    "exact_vector": _vector_sql(folded=False),
}
UPSERT_SQL = (
    f"INSERT INTO {TABLE_NAME} ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join(_SELECT[c] for c in _COLUMNS)} "
    "FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS r "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "id")
)


def _show_context() -> dict[str, Any]:
    # What package_show_default_and_custom_schemas gives package_show.
    fresh = logic.fresh_context(
        {"ignore_auth": True}, ignore_auth=True, use_cache=False, validate=False
    )
    context: dict[str, Any] = dict(fresh)
    context["session"] = model.Session
    return context


class _Schemas:
    """Show schemas and their converters, built once per dataset type."""

    def __init__(self) -> None:
        self.default_schema = default_show_package_schema()
        self.default = ShowConverter(default_show_package_schema())
        self._custom: dict[str, tuple[Any, ShowConverter | None, bool]] = {}
        self.fast = True

    def custom(self, dataset_type: str) -> tuple[Any, ShowConverter | None, bool]:
        """(package plugin, converter or None, custom schema == default)."""
        if dataset_type not in self._custom:
            plugin = lib_plugins.lookup_package_plugin(dataset_type)
            schema = plugin.show_package_schema()
            same = schema == self.default_schema
            mirror = None if same else scheming_show_schema(plugin, dataset_type, schema)
            converter = ShowConverter(mirror) if mirror is not None else None
            self._custom[dataset_type] = (plugin, converter, same)
        return self._custom[dataset_type]


def _navl_pair(
    schemas: _Schemas, context: dict[str, Any], dictized: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """CKAN's own path (package_show_default_and_custom_schemas) on a dict."""
    with_default, _errors = lib_plugins.plugin_validate(
        object(), context, dictized, default_show_package_schema(), "package_show"
    )
    plugin = lib_plugins.lookup_package_plugin(dictized["type"])
    custom_schema = plugin.show_package_schema()
    if custom_schema == default_show_package_schema():
        return with_default, with_default
    with_custom, _errors = lib_plugins.plugin_validate(
        plugin, context, dictized, custom_schema, "package_show"
    )
    return with_default, with_custom


def _fast_pair(
    schemas: _Schemas, context: dict[str, Any], dictized: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    plugin, converter, same = schemas.custom(dictized["type"])
    with_default = schemas.default.convert(dictized, context)
    if same:
        return with_default, with_default
    if converter is None:
        raise Unsupported(f"dataset type {dictized['type']!r}")
    return with_default, converter.convert(dictized, context)


def _json_equal(a: Any, b: Any) -> bool:
    encode = lambda value: json.dumps(value, cls=df.MissingNullEncoder, sort_keys=True, default=str)  # noqa: E731
    return encode(a) == encode(b)


class _Batch:
    """Everything package_dictize reads, for a set of datasets at once."""

    def __init__(self, ids: list[str], context: dict[str, Any], memo: dict[Any, Any]) -> None:
        session = model.Session
        self.context = context
        self.memo = memo
        self.packages = session.query(model.Package).filter(model.Package.id.in_(ids)).all()

        self.resources: dict[str, list[Any]] = defaultdict(list)
        resource = model.resource_table
        for row in session.execute(sa.select(resource).where(resource.c.package_id.in_(ids))):
            self.resources[row.package_id].append(row)

        self.tags: dict[str, list[Any]] = defaultdict(list)
        tag, package_tag = model.tag_table, model.package_tag_table
        query = (
            sa.select(tag, package_tag.c.state, package_tag.c.package_id.label("_package"))
            .join(package_tag, tag.c.id == package_tag.c.tag_id)
            .where(package_tag.c.package_id.in_(ids))
        )
        for row in session.execute(query):
            self.tags[row._package].append(row)

        self.groups: dict[str, list[Any]] = defaultdict(list)
        member, group = model.member_table, model.group_table
        query = (
            sa.select(group, member.c.capacity, member.c.table_id.label("_package"))
            .join(member, group.c.id == member.c.group_id)
            .where(
                member.c.table_id.in_(ids),
                member.c.state == "active",
                group.c.is_organization == sa.false(),
            )
        )
        for row in session.execute(query):
            self.groups[row._package].append(row)

        org_ids = {p.owner_org for p in self.packages if p.owner_org} - set(
            key[1] for key in memo if key[0] == "org"
        )
        if org_ids:
            query = sa.select(group).where(group.c.id.in_(org_ids), group.c.state == "active")
            found = {}
            for row in session.execute(query):
                found[row.id] = row
            for org_id in org_ids:
                row = found.get(org_id)
                if row is None:
                    memo[("org", org_id)] = None
                    continue
                organizations = d.obj_list_dictize([row], context)
                organization = organizations[0] if organizations else None
                if organization is not None:
                    del organization["extras"]
                memo[("org", org_id)] = organization

        self.as_subject: dict[str, list[Any]] = defaultdict(list)
        self.as_object: dict[str, list[Any]] = defaultdict(list)
        rel = model.package_relationship_table
        query = sa.select(rel).where(
            sa.or_(rel.c.subject_package_id.in_(ids), rel.c.object_package_id.in_(ids))
        )
        id_set = set(ids)
        for row in session.execute(query):
            if row.subject_package_id in id_set:
                self.as_subject[row.subject_package_id].append(row)
            if row.object_package_id in id_set:
                self.as_object[row.object_package_id].append(row)

    def _tag_dicts(self, package_id: str) -> list[dict[str, Any]]:
        # obj_list_dictize(rows, context, lambda x: x["name"]) without the
        # batch's grouping column.
        result = []
        for row in self.tags.get(package_id, []):
            dictized = d.table_dictize(row, self.context)
            dictized.pop("_package", None)
            if self.context.get("active", True) and row.state != "active":
                continue
            result.append(dictized)
        return sorted(result, key=lambda x: x["name"])

    def _group_dicts(self, package_id: str) -> list[dict[str, Any]]:
        result = []
        for row in self.groups.get(package_id, []):
            key = ("group", row.id, row.capacity)
            if key not in self.memo:
                # group_list_dictize as package_dictize calls it (member
                # counts included): the same for every dataset in the group.
                context = dict(self.context, with_capacity=False)
                dictized = model_dictize.group_list_dictize(
                    [row], context, with_package_counts=False
                )[0]
                dictized.pop("_package", None)
                self.memo[key] = dictized
            result.append(_copy(self.memo[key]))
        return sorted(result, key=lambda x: h.strxfrm(x["display_name"]))

    def dictize(self, pkg: model.Package) -> dict[str, Any]:
        """model_dictize.package_dictize(pkg, context), from the batch."""
        context = self.context
        result = d.table_dictize(pkg, context)
        if result.get("title"):
            result["title"] = result["title"].strip()
        result.pop("plugin_data", None)
        result["resources"] = model_dictize.resource_list_dictize(
            self.resources.get(pkg.id, []), context
        )
        result["num_resources"] = len(result.get("resources", []))
        result["tags"] = self._tag_dicts(pkg.id)
        result["num_tags"] = len(result.get("tags", []))
        for tag_dict in result["tags"]:
            tag_dict["display_name"] = tag_dict["name"]
        result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
        context["with_capacity"] = False
        result["groups"] = self._group_dicts(pkg.id)
        organization = self.memo.get(("org", pkg.owner_org)) if pkg.owner_org else None
        result["organization"] = _copy(organization) if organization else None
        result["relationships_as_subject"] = d.obj_list_dictize(
            self.as_subject.get(pkg.id, []), context
        )
        result["relationships_as_object"] = d.obj_list_dictize(
            self.as_object.get(pkg.id, []), context
        )
        # Package.isopen() and .license, with the licence looked up once.
        licence = pkg.license
        result["isopen"] = bool(licence and licence.isopen())
        result["type"] = pkg.type or "dataset"
        if licence and licence.url:
            result["license_url"] = licence.url
            result["license_title"] = licence.title.split("::")[-1]
        elif licence:
            result["license_title"] = licence.title
        else:
            result["license_title"] = pkg.license_id
        result["metadata_modified"] = pkg.metadata_modified.isoformat()
        result["metadata_created"] = (
            pkg.metadata_created.isoformat() if pkg.metadata_created else None
        )
        # The rest of package_show with validate=False.
        for item in plugins.PluginImplementations(plugins.IPackageController):
            item.read(pkg)
        for resource_plugin in plugins.PluginImplementations(plugins.IResourceController):
            for resource_dict in result["resources"]:
                resource_plugin.before_resource_show(resource_dict)
        return result


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    # Shared group and organisation dicts: each dataset gets its own copy
    # (plugins may change it); a flat dict needs no deep copy.
    if any(isinstance(v, (dict, list)) for v in value.values()):
        return copy.deepcopy(value)
    return dict(value)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Writes batches on a connection of its own, in a thread of its own.

    Building a batch is Python (one core), inserting it is PostgreSQL (the
    other core): the driver releases the GIL while the server works, so
    batch N+1 is built while batch N is inserted. Everything goes into one
    transaction on the writer's connection, committed by `finish`, so the
    rebuild still becomes visible at once, as CKAN's does.
    """

    def __init__(self) -> None:
        self.connection = model.meta.engine.connect()
        self.transaction = self.connection.begin()
        self.batches: queue.Queue[list[str] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="search-index-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            rows = self.batches.get()
            if rows is None:
                return
            if self.error is not None or not rows:
                continue  # drain, so that `put` never blocks after a failure
            try:
                self.connection.execute(sa.text(UPSERT_SQL), {"rows": "[" + ",".join(rows) + "]"})
            except BaseException as error:  # re-raised in the calling thread
                self.error = error

    def put(self, rows: list[str]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(rows)

    def finish(self, commit: bool) -> None:
        self.batches.put(None)
        self.thread.join()
        try:
            if commit and self.error is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.connection.close()
        if commit and self.error is not None:
            raise self.error
        if commit:
            _vacuum_analyze()


def _vacuum_analyze() -> None:
    """Statistics and visibility map for the rewritten index (and its text
    copy, written by its triggers).

    Without statistics a freshly filled index looks empty to the planner
    (wrong plans); without the visibility map counts cannot be answered from
    the (state, capacity, permission_labels) index alone. VACUUM cannot run
    in a transaction, hence its own autocommit connection; it takes no lock
    that blocks readers or writers.
    """
    try:
        with model.meta.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(sa.text(f"VACUUM (ANALYZE) {TABLE_NAME}, {TEXT_TABLE_NAME}"))
    except sa.exc.DBAPIError as error:
        log.warning("VACUUM ANALYZE of the search index failed: %s", error)


def index_packages(package_ids: Collection[str], force: bool = False, quiet: bool = True) -> int:
    """Index (insert or replace) the given datasets in batches; return how many.

    The rows are committed when all are written (on the writer's own
    connection): the caller's session only reads.
    """
    ids = list(package_ids)
    schemas = _Schemas()
    labeller = lib_plugins.get_permission_labels()
    memo: dict[Any, Any] = {}
    done = 0
    writer = _Writer()
    try:
        # A labeller may keep what it reads for the length of the run (the
        # portal's reads each agency's parent once): `labels_reused_in_bulk`.
        reuse = getattr(labeller, "labels_reused_in_bulk", None)
        with reuse() if reuse is not None else contextlib.nullcontext():
            for batch_ids in _chunks(ids, config.get(BATCH_OPTION)):
                context = _show_context()
                batch = _Batch(batch_ids, context, memo)
                rows = []
                for position, pkg in enumerate(batch.packages):
                    try:
                        rows.append(_row(schemas, batch, pkg, labeller, check=position == 0))
                    except Exception as error:
                        log.error("Error while indexing dataset %s: %r", pkg.id, error)
                        if not force:
                            raise
                writer.put(rows)
                for pkg in batch.packages:
                    # Keep the session small: 100,000 datasets would otherwise
                    # stay in its identity map until the end.
                    if pkg in model.Session:
                        model.Session.expunge(pkg)
                done += len(batch_ids)
                if not quiet:
                    sys.stdout.write(f"\rIndexing dataset {done}/{len(ids)}")
                    sys.stdout.flush()
    except BaseException:
        writer.finish(commit=False)
        raise
    writer.finish(commit=True)
    return done


def _row(
    schemas: _Schemas,
    batch: _Batch,
    pkg: model.Package,
    labeller: Any,
    check: bool,
) -> str:
    """One dataset as a JSON object of the batch's INSERT."""
    context = batch.context
    dictized = batch.dictize(pkg)
    pair = None
    if schemas.fast:
        try:
            pair = _fast_pair(schemas, context, dictized)
        except Unsupported as reason:
            log.debug("navl for %s: %s", pkg.id, reason)
        if pair is not None and check:
            expected = _navl_pair(schemas, context, copy.deepcopy(dictized))
            if not (_json_equal(pair[0], expected[0]) and _json_equal(pair[1], expected[1])):
                log.warning(
                    "Show-schema shortcut differs from navl on %s; using navl for the rest",
                    pkg.id,
                )
                schemas.fast = False
                pair = expected
    if pair is None:
        pair = _navl_pair(schemas, context, dictized)
    with_default, with_custom = pair
    logic.apply_after_dataset_show_plugins(context, with_custom)  # type: ignore[arg-type]
    values, parts, documents = index_writer.row_parts(
        dict(with_default, with_custom_schema=with_custom), labeller.get_dataset_labels(pkg)
    )
    for key in ("metadata_created", "metadata_modified"):
        if values[key] is not None:
            values[key] = values[key].isoformat()
    for weight, text in parts.items():
        values["w" + weight] = text
    # The documents are encoded once, straight into the batch's JSON (the
    # per-dataset path round-trips them through the same encoder).
    encode = index_writer.encode_json
    default_data, data = documents["data_dict"], documents["data"]
    data_dict = "null" if index_writer.same_documents(default_data, data) else encode(default_data)
    scalars = encode(values)
    return (
        f'{scalars[:-1]},"doc":{encode(documents["doc"])},"data":{encode(data)},'
        f'"data_dict":{data_dict}}}'
    )


def make_rebuild(ckan_rebuild: RebuildFunction) -> RebuildFunction:
    """``ckan.lib.search.rebuild`` with the whole-index case done in bulk."""

    def rebuild(
        package_id: str | None = None,
        only_missing: bool = False,
        force: bool = False,
        defer_commit: bool = False,
        package_ids: Collection[str] | None = None,
        quiet: bool = False,
        clear: bool = False,
    ) -> None:
        if package_id or package_ids is not None or not config.get(SHORTCUTS_OPTION):
            # One dataset or a chosen few, or the copies of CKAN's code
            # switched off: CKAN's per-dataset path.
            ckan_rebuild(
                package_id,
                only_missing=only_missing,
                force=force,
                defer_commit=defer_commit,
                package_ids=package_ids,
                quiet=quiet,
                clear=clear,
            )
            return
        log.info("Rebuilding search index in batches of %s...", config.get(BATCH_OPTION))
        packages = model.Session.query(model.Package.id)
        if config.get("ckan.search.remove_deleted_packages"):
            packages = packages.filter(model.Package.state != "deleted")
        ids = [row[0] for row in packages.order_by(model.Package.id).all()]
        if only_missing:
            indexed = set(query_for(model.Package).get_all_entity_ids(max_results=len(ids)))
            ids = [package_id for package_id in ids if package_id not in indexed]
            if not ids:
                log.info("All datasets are already indexed")
                return
        elif clear:
            index_for(model.Package).clear()
        filling_empty = not model.Session.execute(
            sa.text(f"SELECT EXISTS (SELECT 1 FROM {TABLE_NAME})")
        ).scalar()
        if filling_empty:
            # Maintaining the RUM rank index row by row is several times
            # slower than building it once over the written rows (below).
            model.Session.execute(sa.text(f"DROP INDEX IF EXISTS {ranking.RANK_INDEX}"))
            model.Session.commit()
            ranking.forget()
        index_packages(ids, force=force, quiet=quiet)
        if not quiet:
            sys.stdout.write("\n")
        # A database whose rum extension came after its migrations gets the
        # rank index here, built once over the rows just written.
        ranking.create_rank_index(model.Session.connection())
        model.Session.commit()
        log.info("Finished rebuilding search index.")

    rebuild.ckan_rebuild = ckan_rebuild  # type: ignore[attr-defined]
    return rebuild
