"""Keep CKAN's `private` flag consistent with the sharing class.

Validation forces datasets that are not open to private (see
`validators.vn_dataset_rules`); the organisation page's bulk "Make public"
bypasses validation, so it is refused here for any such dataset.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.vnopendata.sharing import classes

__all__ = ["bulk_update_public"]


@tk.chained_action
def bulk_update_public(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    ids = data_dict.get("datasets") or []
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids))
    not_open = sorted(
        package.name
        for package in packages
        if classes.must_be_private((package.extras or {}).get("sharing_class"))
    )
    if not_open:
        raise tk.ValidationError(
            {
                "datasets": [
                    tk._("Only open data can be made public: {names}").format(
                        names=", ".join(not_open)
                    )
                ]
            }
        )
    return next_action(context, data_dict)
