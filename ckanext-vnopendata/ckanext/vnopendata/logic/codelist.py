"""Code lists over the action API, so that an agency's system can fill the
forms it posts: `vnopendata_codelist_list` and `vnopendata_codelist_show`."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vnopendata import codelists
from ckanext.vnopendata.dcat import vocabularies


def _names() -> list[str]:
    return sorted({*codelists.names(), codelists.SHARING_CLASSES})


def _metadata(code_list: codelists.CodeList) -> dict[str, Any]:
    return {
        "name": code_list.name,
        "title": dict(code_list.title),
        "title_vi": code_list.title.get("vi", ""),
        "title_en": code_list.title.get("en", ""),
        "version": code_list.version,
        "date": code_list.date,
        "source": " ".join(code_list.source.split()),
        "source_url": code_list.source_url,
        "uri": str(vocabularies.scheme_uri(code_list.name)),
        "num_codes": len(code_list.items),
    }


@tk.side_effect_free
def vnopendata_codelist_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every code list: name, titles (vi, en), version, date, source, URI."""
    tk.check_access("vnopendata_codelist_list", context, data_dict)
    return [_metadata(codelists.get(name)) for name in _names()]


@tk.side_effect_free
def vnopendata_codelist_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One code list (`id`: its name): its metadata and `codes`, each with
    `code`, `label_vi`, `label_en`, `uri` and the list's own columns."""
    tk.check_access("vnopendata_codelist_show", context, data_dict)
    name = data_dict.get("id")
    if not name or not isinstance(name, str):
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    if name not in _names():
        raise tk.ObjectNotFound(tk._("Code list not found"))
    result = _metadata(codelists.get(name))
    result["codes"] = vocabularies.codelist_codes(name)
    return result


@tk.auth_allow_anonymous_access
def codelist_auth(context: Context, data_dict: DataDict | None) -> dict[str, bool]:
    return {"success": True}


def get_actions() -> dict[str, Any]:
    return {
        "vnopendata_codelist_list": vnopendata_codelist_list,
        "vnopendata_codelist_show": vnopendata_codelist_show,
    }


def get_auth_functions() -> dict[str, Any]:
    return {
        "vnopendata_codelist_list": codelist_auth,
        "vnopendata_codelist_show": codelist_auth,
    }
