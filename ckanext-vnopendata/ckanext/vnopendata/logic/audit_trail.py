"""Audit entries for sharing-class changes and review transitions.

The chained `package_update` notes the dataset's class, metadata-visible
option, pending change and review state before the update; the plugin's
`after_dataset_create` / `after_dataset_update` hooks (which run inside the
core action's transaction, before its commit) compare them with what was
saved and record a `sharing_class_change` entry when they differ, and a
`review_<transition>` entry when the update is a review transition. The
entries are committed together with the change.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.vnopendata.sharing import audit

__all__ = ["package_update"]

CLASS_FIELDS = (
    "sharing_class",
    "metadata_visible",
    "pending_sharing_class",
    "pending_metadata_visible",
)
BEFORE_KEY = "vnopendata_audit_before"


def _snapshot(package: model.Package | None) -> dict[str, Any]:
    extras = (package.extras or {}) if package is not None else {}
    return {field: extras.get(field) or None for field in (*CLASS_FIELDS, "review_state")}


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    context[BEFORE_KEY] = _snapshot(package)  # type: ignore[literal-required]
    return next_action(context, data_dict)


def record_changes(context: Context, package_id: str) -> None:
    """Called from after_dataset_create/update, inside the transaction."""
    package = model.Package.get(package_id)
    if package is None:
        return
    before = context.pop(BEFORE_KEY, None) or _snapshot(None)  # type: ignore[misc]
    after = _snapshot(package)
    user = model.User.get(context.get("user") or "")
    user_id = user.id if user else None
    transition = context.get("vnopendata_transition") or {}  # type: ignore[misc]
    if {f: before[f] for f in CLASS_FIELDS} != {f: after[f] for f in CLASS_FIELDS}:
        audit.record(
            "sharing_class_change",
            user_id=user_id,
            package_id=package.id,
            owner_org=package.owner_org,
            reason=transition.get("reason"),
            detail={
                "from": {f: before[f] for f in CLASS_FIELDS},
                "to": {f: after[f] for f in CLASS_FIELDS},
            },
        )
    if transition.get("action"):
        audit.record(
            f"review_{transition['action']}",
            user_id=user_id,
            package_id=package.id,
            owner_org=package.owner_org,
            reason=transition.get("reason"),
            detail={"from": before["review_state"], "to": after["review_state"]},
        )
