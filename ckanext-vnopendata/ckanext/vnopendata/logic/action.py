"""Review actions: submit, approve and return a dataset; the review queue.

Each transition is one `package_update` of the dataset, made with the
transition in the context, so the validator (`vn_review_rules`) writes the
review fields, the whole dataset is validated again, and the search index,
the activity stream and the permission labels follow in the same
transaction. Mail to reviewers and submitters goes through the job queue.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.vnopendata.logic import auth, schema, validators
from ckanext.vnopendata.sharing import mail, review

__all__ = [
    "vnopendata_dataset_submit",
    "vnopendata_dataset_approve",
    "vnopendata_dataset_return",
    "vnopendata_review_queue",
    "organization_show",
]


@tk.chained_action
def organization_show(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's, without the agency rules that only writes need
    (`validators.showing_agency`)."""
    with validators.showing_agency():
        return next_action(context, data_dict)


# The states each transition starts from.
_STARTS_FROM = {
    review.SUBMIT: (review.DRAFT, review.RETURNED),
    review.APPROVE: (review.SUBMITTED,),
    review.RETURN: (review.SUBMITTED,),
}


def _refusal(action: str, state: str | None) -> str:
    if action == review.SUBMIT and state == review.SUBMITTED:
        return tk._("This dataset is already waiting for review")
    if action == review.SUBMIT:
        return tk._("This dataset is published; there is nothing to submit")
    return tk._("Only a dataset that is waiting for review can be approved or returned")


def _transition(
    context: Context, data_dict: DataDict, action: str, reason: str | None = None
) -> dict[str, Any]:
    package = model.Package.get(data_dict["id"])
    if package is None or package.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    tk.check_access(f"vnopendata_dataset_{action}", context, {"id": package.id})

    state = (package.extras or {}).get("review_state")
    if state not in _STARTS_FROM[action]:
        raise tk.ValidationError({"review_state": [_refusal(action, state)]})

    current = tk.get_action("package_show")(
        {"ignore_auth": True, "use_cache": False}, {"id": package.id}
    )
    update_context: Context = {
        "user": context["user"],
        "ignore_auth": True,
        "vnopendata_transition": {"action": action, "reason": reason},
    }
    # package_update skips a dict equal to the stored dataset; the state
    # is the validator's to write in any case.
    current.pop("review_state", None)
    result = tk.get_action("package_update")(update_context, current)
    mail.notify_transition(action, result, context["user"], reason)
    return result


@tk.validate(schema.dataset_transition)
def vnopendata_dataset_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a draft or returned dataset for review by its agency's admins.

    :param id: the dataset's id or name
    :returns: the dataset, with ``review_state`` ``submitted`` (or
        ``published`` where the portal publishes without review)
    """
    return _transition(context, data_dict, review.SUBMIT)


@tk.validate(schema.dataset_transition)
def vnopendata_dataset_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a dataset that waits for review: publish it, or apply the
    change that opens it further.

    :param id: the dataset's id or name
    :returns: the dataset, with ``review_state`` ``published``
    """
    return _transition(context, data_dict, review.APPROVE)


@tk.validate(schema.dataset_return)
def vnopendata_dataset_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a dataset that waits for review, with a written reason.

    :param id: the dataset's id or name
    :param reason: why, for the submitter
    :returns: the dataset, ``returned`` (or ``published`` again, without
        the change, when the published dataset had a change waiting)
    """
    return _transition(context, data_dict, review.RETURN, data_dict["reason"])


def _queue_agencies(context: Context, organization_id: str | None) -> list[model.Group]:
    user = context.get("user") or ""
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    )
    if not authz.is_sysadmin(user):
        mine = tk.get_action("organization_list_for_user")(
            {"user": user, "ignore_auth": True}, {"permission": "read"}
        )
        query = query.filter(model.Group.id.in_([agency["id"] for agency in mine]))
    if organization_id:
        agency = model.Group.get(organization_id)
        query = query.filter(model.Group.id == (agency.id if agency else None))
    return query.all()


def _display_name(user_id: str | None) -> str | None:
    user = model.User.get(user_id) if user_id else None
    return user.display_name if user else None


@tk.side_effect_free
@tk.validate(schema.review_queue)
def vnopendata_review_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Datasets that wait for review in the caller's agencies, oldest first.

    :param organization_id: only this agency (optional)
    :returns: ``count``, ``agencies`` (agency id -> count) and ``results``:
        each with ``id``, ``name``, ``title``, ``owner_org``,
        ``organization_title``, ``sharing_class``, ``metadata_visible``,
        ``pending_sharing_class``, ``pending_metadata_visible``,
        ``review_submitted_by``, ``review_submitted_at`` and ``can_review``
    """
    tk.check_access("vnopendata_review_queue", context, data_dict)
    agencies = {
        agency.id: agency for agency in _queue_agencies(context, data_dict.get("organization_id"))
    }
    if not agencies:
        return {"count": 0, "agencies": {}, "results": []}
    extras = model.package_table.c.extras
    packages = (
        model.Session.query(model.Package)
        .filter(
            model.Package.owner_org.in_(list(agencies)),
            model.Package.state == "active",
            extras["review_state"].astext == review.SUBMITTED,
        )
        .order_by(extras["review_submitted_at"].astext, model.Package.name)
        .all()
    )
    user = context.get("user") or ""
    results = []
    counts: dict[str, int] = dict.fromkeys(agencies, 0)
    for package in packages:
        fields = package.extras or {}
        counts[package.owner_org] += 1
        results.append(
            {
                "id": package.id,
                "name": package.name,
                "title": package.title,
                "owner_org": package.owner_org,
                "organization_title": agencies[package.owner_org].display_name,
                "sharing_class": fields.get("sharing_class"),
                "metadata_visible": review.as_bool(fields.get("metadata_visible")),
                "pending_sharing_class": fields.get("pending_sharing_class") or None,
                "pending_metadata_visible": (
                    review.as_bool(fields["pending_metadata_visible"])
                    if fields.get("pending_sharing_class")
                    else None
                ),
                "review_submitted_by": _display_name(fields.get("review_submitted_by")),
                "review_submitted_at": fields.get("review_submitted_at"),
                "can_review": auth.can_review(user, package),
            }
        )
    return {"count": len(results), "agencies": counts, "results": results}
