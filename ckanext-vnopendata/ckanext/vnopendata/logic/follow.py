"""Following datasets: the two follower actions every dataset page calls,
each answered in one statement or none, and neither telling a caller of a
dataset it may not see.

CKAN's dataset page asks whether the visitor follows the dataset
(`am_following_dataset`, for an anonymous visitor too, whom CKAN then
refuses), and its sidebar shows the number of followers
(`dataset_follower_count`). CKAN answers each with ORM look-ups of the
dataset by id and then by name, then an ORM join built afresh: about
12 ms of a 60 ms dataset page at 10,000 datasets. Both of CKAN's actions
also answer anyone about any dataset, so "not found" against a number
told whether a hidden dataset (a draft, a private one) had that name.

Here an anonymous caller follows nothing and is refused before anything
is looked up; a follower count is given only for a dataset the caller may
see (`package_show`), and any other dataset is "not found", as one that
does not exist. Whatever is out of the ordinary (no id or not a string,
a schema in the context) goes to CKAN's own action, so its errors stay
CKAN's.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict

__all__ = ["am_following_dataset", "dataset_follower_count"]

# The dataset by id, else by name (as `convert_package_name_or_id_to_id`),
# with its followers as `_get_followers` counts them: the follower and the
# dataset not deleted.
_DATASET_AND_FOLLOWERS = sa.text(
    "SELECT p.id, (SELECT count(*) FROM user_following_dataset AS f "
    'JOIN "user" AS u ON u.id = f.follower_id '
    "WHERE f.object_id = p.id AND u.state <> 'deleted' AND p.state <> 'deleted') AS followers "
    "FROM package AS p WHERE p.id = :ref OR p.name = :ref "
    "ORDER BY p.id = :ref DESC LIMIT 1"
)


def _plain_reference(context: Context, data_dict: DataDict) -> str | None:
    """The dataset's id or name when CKAN's schema would take it as it is."""
    reference = data_dict.get("id")
    if "schema" in context or not isinstance(reference, str) or not reference.strip():
        return None
    return reference


def _dataset(reference: str) -> Any:
    return model.Session.execute(_DATASET_AND_FOLLOWERS, {"ref": reference}).first()


def _may_see(context: Context, package_id: str) -> bool:
    try:
        # A copy: the check leaves the dataset in the context it is given.
        tk.check_access("package_show", dict(context), {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@tk.side_effect_free
@tk.chained_action
def dataset_follower_count(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    tk.check_access("dataset_follower_count", context, data_dict)
    reference = _plain_reference(context, data_dict)
    if reference is None:
        return next_action(context, data_dict)
    found = _dataset(reference)
    if found is None or not _may_see(context, found.id):
        # CKAN's answer for a dataset that does not exist.
        raise tk.ValidationError({"id": [f"{tk._('Not found')}: {tk._('Dataset')}"]})
    return int(found.followers)


@tk.side_effect_free
@tk.chained_action
def am_following_dataset(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    """An anonymous visitor follows nothing: refused at once, whatever the
    dataset (CKAN looks the dataset up first, and refuses only if it exists)."""
    if context.get("user"):
        return next_action(context, data_dict)
    raise tk.NotAuthorized(tk._("Log in to follow a dataset"))
