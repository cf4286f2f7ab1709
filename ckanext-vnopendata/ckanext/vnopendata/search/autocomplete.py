"""Autocompletes that fold Vietnamese diacritics: "ha noi" finds "Hà Nội".

CKAN's tag and organisation autocompletes (used by the dataset form) match
with ILIKE, which does not fold. These chained actions keep CKAN's
signatures and results, and match through the `vnopendata_fold` function.
(`package_autocomplete` goes through the search backend instead.)
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Action, Context, DataDict

from ckanext.vnopendata.model.search import FOLD_FUNCTION


def _contains_pattern(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _groups(data_dict: DataDict, is_org: bool) -> list[dict[str, str]]:
    rows = model.Session.execute(
        sa.text(
            f"""SELECT id, name, title FROM "group"
            WHERE state = 'active' AND is_organization = :is_org
              AND ({FOLD_FUNCTION}(name) LIKE {FOLD_FUNCTION}(:pattern)
                   OR {FOLD_FUNCTION}(title) LIKE {FOLD_FUNCTION}(:pattern))
            ORDER BY title LIMIT :limit"""
        ),
        {
            "is_org": is_org,
            "pattern": _contains_pattern(data_dict["q"]),
            "limit": int(data_dict.get("limit", 20)),
        },
    )
    return [{"id": row.id, "name": row.name, "title": row.title} for row in rows]


@tk.chained_action
@tk.side_effect_free
def organization_autocomplete(
    up_func: Action, context: Context, data_dict: DataDict
) -> list[dict[str, str]]:
    tk.check_access("organization_autocomplete", context, data_dict)
    return _groups(data_dict, is_org=True)


@tk.chained_action
@tk.side_effect_free
def group_autocomplete(
    up_func: Action, context: Context, data_dict: DataDict
) -> list[dict[str, str]]:
    tk.check_access("group_autocomplete", context, data_dict)
    return _groups(data_dict, is_org=False)


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    query = data_dict.get("query") or data_dict.get("q")
    if "vocabulary_id" in data_dict or not isinstance(query, str) or not query.strip():
        # Vocabulary tags and list queries keep CKAN's own behaviour.
        return up_func(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    # Like CKAN: free tags that are applied to at least one dataset.
    rows = model.Session.execute(
        sa.text(
            f"""SELECT DISTINCT tag.name FROM tag
            JOIN package_tag ON package_tag.tag_id = tag.id
            WHERE tag.vocabulary_id IS NULL
              AND {FOLD_FUNCTION}(tag.name) LIKE {FOLD_FUNCTION}(:pattern)
            ORDER BY tag.name LIMIT :limit OFFSET :offset"""
        ),
        {
            "pattern": _contains_pattern(query),
            "limit": int(data_dict.get("limit") or 10),
            "offset": int(data_dict.get("offset") or 0),
        },
    )
    return [row.name for row in rows]


def get_actions() -> dict[str, Action]:
    return {
        "organization_autocomplete": organization_autocomplete,
        "group_autocomplete": group_autocomplete,
        "tag_autocomplete": tag_autocomplete,
    }
