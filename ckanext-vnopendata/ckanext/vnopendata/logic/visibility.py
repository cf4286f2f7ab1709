"""What a reader gets back: chained core actions that follow the labels.

Permission labels (`sharing/labels.py`) decide *whether* a user sees a
dataset. These chained actions decide *how much*: a reader who sees a
dataset only through a ``meta-`` label gets its metadata without resources,
links or downloads, from `package_show` and from every `package_search`
result; activities (which store whole datasets) carry only the labels that
show data. CKAN's `private` flag is kept consistent with the class by the
validator; the organisation page's bulk actions bypass validation, so they
are checked here.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.vnopendata.sharing import labels

__all__ = [
    "bulk_update_public",
    "bulk_update_private",
    "package_show",
    "package_search",
    "activity_create",
]


def _public_ids(ids: list[str]) -> dict[str, bool]:
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids))
    return {
        package.name: labels.PUBLIC in labels.labels_of_package(package) for package in packages
    }


@tk.chained_action
def bulk_update_public(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    not_public = sorted(
        name for name, public in _public_ids(data_dict.get("datasets") or []).items() if not public
    )
    if not_public:
        raise tk.ValidationError(
            {
                "datasets": [
                    tk._("Only published open data can be public: {names}").format(
                        names=", ".join(not_public)
                    )
                ]
            }
        )
    return next_action(context, data_dict)


@tk.chained_action
def bulk_update_private(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    public = sorted(
        name for name, public in _public_ids(data_dict.get("datasets") or []).items() if public
    )
    if public:
        raise tk.ValidationError(
            {
                "datasets": [
                    tk._(
                        "Published open data is public by its class; change the sharing "
                        "class to make it non-public: {names}"
                    ).format(names=", ".join(public))
                ]
            }
        )
    return next_action(context, data_dict)


def _reader(context: Context) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    # An anonymous reader (CKAN's views pass "" with the anonymous
    # current_user) has no row: no statement to learn so.
    return model.User.get(name) if name else None


@tk.side_effect_free
@tk.chained_action
def package_show(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    result = next_action(context, data_dict)
    # Internal reads (indexing, activity snapshots) run without auth and
    # need the whole dataset; they never reach a reader as they are.
    if context.get("ignore_auth") or not isinstance(result, dict):
        return result
    if not labels.has_full_access(_reader(context), result["id"]):
        labels.strip_to_metadata(result)
    return result


@tk.side_effect_free
@tk.chained_action
def package_search(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    fl = data_dict.get("fl")
    requested = None
    # `fl` is text from the API, or a list from code calling the action.
    if fl and isinstance(fl, str):
        requested = fl.split()
        if "id" not in requested:
            # The id tells which results to strip; it is removed again.
            data_dict = dict(data_dict, fl=fl + " id")
    elif fl and isinstance(fl, list) and all(isinstance(field, str) for field in fl):
        requested = list(fl)
        if "id" not in requested:
            data_dict = dict(data_dict, fl=[*fl, "id"])
    reader = _reader(context)
    if reader is not None:
        # The one object CKAN's search asks the labels of, too.
        context["auth_user_obj"] = reader
    with labels.labels_reused_for(reader):
        result = next_action(context, data_dict)
        rows = [row for row in result.get("results", []) if isinstance(row, dict)]
        if requested is not None and not labels.STRIPPED_FIELDS.intersection(requested):
            # Only fields a metadata-only reader sees too (a feed page asks
            # id, name, dates and labels of a hundred datasets).
            full = {row.get("id") for row in rows}
        else:
            full = labels.full_access_ids(reader, [row.get("id") for row in rows])
    for row in rows:
        if row.get("id") not in full:
            labels.strip_to_metadata(row)
        if requested is not None:
            for key in ("id", "data_access"):
                if key not in requested:
                    row.pop(key, None)
    return result


@tk.chained_action
def activity_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    if data_dict.get("permission_labels"):
        data_dict = dict(
            data_dict, permission_labels=labels.activity_labels(data_dict["permission_labels"])
        )
    return next_action(context, data_dict)
