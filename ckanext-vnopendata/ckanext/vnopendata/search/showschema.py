"""package_show's schema conversion without navl's generic machinery.

The per-dataset index path (``logic.package_show_default_and_custom_schemas``)
runs CKAN's default show schema and the dataset type's (scheming) show schema
through ``navl.validate``. navl flattens the whole dict to tuple keys, builds
the full schema for every list index, sorts ~100 keys several times and
unflattens again: several milliseconds per dataset, most of the cost of a
bulk rebuild. On package_show's output almost every validator is either a
check whose error is thrown away (``not_empty``, ``package_name_validator``,
which also queries the database) or a pure value conversion.

`ShowConverter` applies a show schema directly to the nested dict with navl's
semantics, calling CKAN's own functions for every value conversion, and
raises `Unsupported` for anything it does not model (an unknown 4-argument
validator, a repeating subfield, a sub-list that is not a list of dicts...),
so that the caller falls back to the real navl for that dataset. Equality with
navl is what ``tests/search/test_bulk_rebuild.py`` proves, and the bulk
rebuild also checks one dataset per batch against navl at run time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing

log = logging.getLogger(__name__)

Schema = dict[str, Any]


class Unsupported(Exception):
    """The schema or the data uses something this converter does not model."""


class _Stop(Exception):
    """navl's StopOnError: skip the rest of this key's validators."""


def _validator(name: str) -> Callable[..., Any] | None:
    try:
        return tk.get_validator(name)
    except Exception:  # an unregistered name is just not special
        return None


def _if_empty_same_as_key(function: Any) -> str | None:
    """The other key of an ``if_empty_same_as(key)`` closure, or None."""
    if getattr(function, "__qualname__", "") != "if_empty_same_as.<locals>.callable":
        return None
    cells: tuple[Any, ...] = function.__closure__ or ()
    return str(cells[0].cell_contents) if len(cells) == 1 else None


# What a compiled validator step does.
_IGNORE_MISSING, _NOT_EMPTY, _IGNORE, _EMPTY, _CHECK, _FROM_EXTRAS = range(6)
_SAME_AS, _CALL1, _CALL2, _KEEP_EXTRAS, _UNSUPPORTED = range(6, 11)
Step = tuple[int, Any]


class _Compiled:
    """One (sub)schema, its validators classified once instead of per value."""

    def __init__(self, converter: ShowConverter, schema: Schema) -> None:
        self.schema = schema
        # Key order is navl's sorted order. Only convert_from_extras and
        # if_empty_same_as read other keys, and both read data that no other
        # validator of a show schema changes; keep navl's order anyway.
        self.keys: list[tuple[str, list[Step] | _Compiled]] = []
        for key in sorted(k for k in schema if not k.startswith("__")):
            rule = schema[key]
            if isinstance(rule, dict):
                self.keys.append((key, _Compiled(converter, rule)))
            else:
                self.keys.append((key, [converter.step(f) for f in rule]))
        self.sub_keys = {key for key, rule in self.keys if isinstance(rule, _Compiled)}
        self.has_extras_rule = "__extras" in schema
        self.extras_chain = [converter.step(f) for f in schema.get("__extras") or []]
        self.before = [converter.step(f) for f in schema.get("__before") or []]


class ShowConverter:
    """Applies one show schema to a package_dictize dict as navl would."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.special: dict[Any, int] = {}
        for name, kind in (
            ("ignore_missing", _IGNORE_MISSING),
            ("not_empty", _NOT_EMPTY),
            ("ignore", _IGNORE),
            ("empty", _EMPTY),
            ("keep_extras", _KEEP_EXTRAS),
            ("convert_from_extras", _FROM_EXTRAS),
            # 4-argument validators that only ever add errors (thrown away
            # by package_show) and never change the data.
            ("package_name_validator", _CHECK),
            ("duplicate_extras_key", _CHECK),
        ):
            function = _validator(name)
            if function is not None:
                self.special[function] = kind
        self.compiled = _Compiled(self, schema)

    def step(self, function: Any) -> Step:
        if function in self.special:
            return (self.special[function], None)
        other = _if_empty_same_as_key(function)
        if other is not None:
            return (_SAME_AS, other)
        nargs = getattr(getattr(function, "__code__", None), "co_argcount", None)
        if nargs == 1:
            return (_CALL1, function)
        if nargs == 2:
            return (_CALL2, function)
        return (_UNSUPPORTED, getattr(function, "__name__", repr(function)))

    # -- one chain of validators on one key of one dict ------------------

    def _run(
        self,
        chain: list[Step],
        key: str,
        data: dict[str, Any],
        context: dict[str, Any],
        extras: list[dict[str, Any]] | None,
    ) -> None:
        for kind, argument in chain:
            if kind == _IGNORE_MISSING:
                value = data.get(key, missing)
                if value is missing or value is None:
                    data.pop(key, None)
                    return
            elif kind in (_CALL1, _CALL2):
                value = data.get(key, missing)
                # On Invalid navl records the error, keeps the value, goes on.
                with contextlib.suppress(Invalid):
                    data[key] = argument(value) if kind == _CALL1 else argument(value, context)
            elif kind == _CHECK:
                continue
            elif kind == _NOT_EMPTY:
                value = data.get(key, missing)
                if value in (False, 0, 0.0):
                    continue
                if value is missing or not value:
                    return
            elif kind == _FROM_EXTRAS:
                self._from_extras(key, data, extras)
            elif kind == _SAME_AS:
                value = data.get(key, missing)
                if not value or value is missing:
                    data[key] = data.get(argument, missing)
            elif kind == _IGNORE:
                data.pop(key, None)
                return
            elif kind == _EMPTY:
                data.pop(key, None)
            else:
                raise Unsupported(f"validator {argument!r} on {key!r}")

    def _from_extras(
        self, key: str, data: dict[str, Any], extras: list[dict[str, Any]] | None
    ) -> None:
        # ckan.logic.converters.convert_from_extras: the first extra with
        # this key becomes the field, and that one extra is removed.
        if not extras:
            return
        for position, extra in enumerate(extras):
            if extra.get("key", missing) == key:
                data[key] = extra.get("value", missing)
                del extras[position]
                return

    # -- dicts and lists of dicts -----------------------------------------

    def _dict(
        self,
        source: dict[str, Any],
        compiled: _Compiled,
        context: dict[str, Any],
        top: bool,
    ) -> dict[str, Any]:
        schema = compiled.schema
        data: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        for key, value in source.items():
            if key in schema and not key.startswith("__"):
                data[key] = value
            else:
                unknown[key] = value
        extras: list[dict[str, Any]] | None = None
        if top:
            for kind, _argument in compiled.before:
                if kind == _IGNORE:
                    break
                if kind != _CHECK:
                    raise Unsupported("__before validator")
            if isinstance(data.get("extras"), list) and "extras" in compiled.sub_keys:
                # Copied first: convert_from_extras consumes its entries.
                extras = [dict(e) for e in data["extras"] if isinstance(e, dict)]
                if len(extras) != len(data["extras"]):
                    raise Unsupported("extras that are not dicts")
        extras_rule: _Compiled | None = None
        for key, rule in compiled.keys:
            if isinstance(rule, _Compiled):
                if key not in data:
                    continue
                value = data[key]
                if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
                    raise Unsupported(f"{key} is not a list of dicts")
                if key == "extras" and extras is not None:
                    extras_rule = rule
                    continue
                items = [self._dict(item, rule, context, top=False) for item in value]
                data[key] = self._list(items, source.get(key), top)
                if not data[key] and data[key] != []:
                    del data[key]
                continue
            # navl adds every schema key the data lacks as `missing`; unless
            # a validator removes it, it stays (and is stored as null).
            if key not in data:
                data[key] = missing
            self._run(rule, key, data, context, extras)
        if extras is not None and extras_rule is not None:
            items = [self._dict(e, extras_rule, context, top=False) for e in extras]
            kept = self._list(items, source.get("extras"), top)
            if kept is None:
                del data["extras"]
            else:
                data["extras"] = kept
        if unknown:
            self._unknown(unknown, compiled, data, context, top)
        return data

    @staticmethod
    def _list(items: list[dict[str, Any]], original: Any, top: bool) -> Any:
        # navl drops list items that lost every key; a list left empty
        # disappears unless it was an empty top-level list to begin with.
        kept = [item for item in items if item]
        if kept:
            return kept
        return [] if top and original == [] else None

    def _unknown(
        self,
        unknown: dict[str, Any],
        compiled: _Compiled,
        data: dict[str, Any],
        context: dict[str, Any],
        top: bool,
    ) -> None:
        plain = {
            k: v
            for k, v in unknown.items()
            if not (isinstance(v, list) and v and all(isinstance(i, dict) for i in v))
        }
        if top:
            # navl keeps top-level empty lists whatever the schema says.
            for key, value in unknown.items():
                if value == []:
                    data[key] = []
                    plain.pop(key, None)
        if not compiled.has_extras_rule:
            if plain:
                raise Unsupported("unknown keys without an __extras rule")
            return
        if not plain:
            return  # the __extras chain sees a missing value: nothing to keep
        holder: dict[str, Any] = {"__extras": dict(plain)}
        for step in compiled.extras_chain:
            if step[0] == _KEEP_EXTRAS:
                data.update(holder.pop("__extras", {}))
                continue
            if step[0] == _IGNORE:
                holder.pop("__extras", None)
                break
            self._run([step], "__extras", holder, context, None)
            if "__extras" not in holder:
                break
        if "__extras" in holder:
            raise Unsupported("__extras left in the data")

    def convert(self, dictized: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        if "__junk" in dictized or "__extras" in dictized or "__before" in dictized:
            raise Unsupported("reserved keys in the data")
        return self._dict(dictized, self.compiled, context, top=True)


def scheming_show_schema(package_plugin: Any, dataset_type: str, base: Schema) -> Schema | None:
    """The schema scheming's ``validate(..., 'package_show')`` would apply.

    Mirrors ``SchemingDatasetsPlugin.validate`` for ``show``; None when the
    plugin is not scheming's or uses what the mirror does not model
    (composite fields).
    """
    try:
        from ckanext.scheming.plugins import (
            SchemingDatasetsPlugin,
            _field_output_validators,
        )
    except ImportError:
        return None
    if not isinstance(package_plugin, SchemingDatasetsPlugin):
        return None
    expanded = package_plugin._expanded_schemas.get(dataset_type)
    if not expanded:
        return None
    schema = dict(base)
    schema["resources"] = dict(base["resources"])
    for field in expanded["dataset_fields"]:
        if "repeating_subfields" in field:
            return None
        schema[field["field_name"]] = _field_output_validators(
            field, expanded, field["field_name"] not in schema
        )
    for field in expanded.get("resource_fields") or []:
        if "repeating_subfields" in field:
            return None
        schema["resources"][field["field_name"]] = _field_output_validators(field, expanded, False)
    return schema
