"""Autocompletes that fold Vietnamese diacritics: "ha noi" finds "Hà Nội".

CKAN's tag and organisation autocompletes (used by the dataset form) match
with ILIKE, which does not fold. These chained actions keep CKAN's
signatures and results, and match through the `vnopendata_fold` function.
(`package_autocomplete` goes through the search backend instead.)

CKAN lists free tags straight from the tag table, so the tags of a dataset
the user may not see would show through `tag_autocomplete`, `tag_list` and
`tag_search`. Here tags come from the search index, filtered by the same
permission labels as `package_search`.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_dictize
from ckan.types import Action, Context, DataDict

from ckanext.vnopendata.model.search import FOLD_FUNCTION, TABLE_NAME


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


def _natural(data_dict: DataDict, key: str, default: int) -> int:
    value = data_dict.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise tk.ValidationError({key: [tk._("Must be a natural number")]})
    return number


def _user_labels(context: Context) -> list[str] | None:
    """The labels package_search filters by; None for a sysadmin (no filter)."""
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if isinstance(user, model.User) and user.sysadmin:
        return None
    labeller = lib_plugins.get_permission_labels()
    return labeller.get_user_dataset_labels(user if isinstance(user, model.User) else None)


def _visible_tags(
    context: Context, terms: list[str], limit: int, offset: int
) -> tuple[list[str], int]:
    """Free tags of active datasets the user may see that contain every
    term (folded), as CKAN's tag search matches each term."""
    labels = _user_labels(context)
    patterns = [_contains_pattern(term) for term in terms] or [_contains_pattern("")]
    rows = model.Session.execute(
        sa.text(
            f"""SELECT tag, count(*) OVER () AS total
            FROM (SELECT DISTINCT tag FROM {TABLE_NAME} AS idx, unnest(idx.tags) AS tag
                  WHERE idx.state = 'active'
                    AND (CAST(:labels AS text[]) IS NULL
                         OR idx.permission_labels && CAST(:labels AS text[]))
                    AND {FOLD_FUNCTION}(tag) LIKE ALL (
                        SELECT {FOLD_FUNCTION}(p) FROM unnest(CAST(:patterns AS text[])) AS p
                    )) AS visible
            ORDER BY tag LIMIT :limit OFFSET :offset"""
        ),
        {"labels": labels, "patterns": patterns, "limit": limit, "offset": offset},
    ).all()
    return [row.tag for row in rows], rows[0].total if rows else 0


def _tag_dicts(names: list[str], context: Context) -> list[dict[str, Any]]:
    """CKAN's tag dicts (tag_list_dictize: id, name, vocabulary_id,
    display_name), in the order of `names`."""
    tags = {
        tag.name: tag
        for tag in model.Session.query(model.Tag).filter(
            model.Tag.name.in_(names), model.Tag.vocabulary_id.is_(None)
        )
    }
    return model_dictize.tag_list_dictize([tags[name] for name in names if name in tags], context)


def _tag_terms(data_dict: DataDict) -> list[str]:
    """`query` (or `q`): one term or a list of them, as CKAN's tag search."""
    query = data_dict.get("query") or data_dict.get("q") or []
    terms = [query] if isinstance(query, str) else list(query)
    return [term.strip() for term in terms if isinstance(term, str) and term.strip()]


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    terms = _tag_terms(data_dict)
    if "vocabulary_id" in data_dict or not terms:
        # Vocabulary tags are public by definition; an empty query lists none.
        return up_func(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    names, _total = _visible_tags(
        context, terms, _natural(data_dict, "limit", 10), _natural(data_dict, "offset", 0)
    )
    return names


@tk.chained_action
@tk.side_effect_free
def tag_list(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if data_dict.get("vocabulary_id"):
        return up_func(context, data_dict)
    tk.check_access("tag_list", context, data_dict)
    names, _total = _visible_tags(context, _tag_terms(data_dict), 2**31 - 1, 0)
    if tk.asbool(data_dict.get("all_fields")):
        return _tag_dicts(names, context)
    return names


@tk.chained_action
@tk.side_effect_free
def tag_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if data_dict.get("vocabulary_id") or data_dict.get("fields"):
        return up_func(context, data_dict)
    tk.check_access("tag_search", context, data_dict)
    terms = _tag_terms(data_dict)
    if not terms:
        # CKAN: no term, no tags.
        return {"count": 0, "results": []}
    names, total = _visible_tags(
        context, terms, _natural(data_dict, "limit", 10), _natural(data_dict, "offset", 0)
    )
    return {"count": total, "results": _tag_dicts(names, context)}


def get_actions(tags: bool = True) -> dict[str, Action]:
    """The chained actions; `tags`: also the tag look-ups, which read the
    PostgreSQL index table (only when that is the search engine)."""
    actions: dict[str, Action] = {
        "organization_autocomplete": organization_autocomplete,
        "group_autocomplete": group_autocomplete,
    }
    if tags:
        actions.update(tag_autocomplete=tag_autocomplete, tag_list=tag_list, tag_search=tag_search)
    return actions
