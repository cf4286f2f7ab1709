"""Auth functions of the extension's actions, and chained core ones."""

from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.vnopendata.sharing import labels

__all__ = [
    "vnopendata_dataset_submit",
    "vnopendata_dataset_approve",
    "vnopendata_dataset_return",
    "vnopendata_review_queue",
    "resource_show",
    "package_activity_list",
]


def _package(data_dict: DataDict) -> model.Package:
    package = model.Package.get(data_dict.get("id") or "")
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def vnopendata_dataset_submit(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the dataset may submit it (editors and admins of its agency)."""
    return authz.is_authorized("package_update", context, {"id": _package(data_dict).id})


def can_review(user: str, package: model.Package) -> bool:
    """Only an admin of the dataset's agency (or a sysadmin) decides."""
    if authz.is_sysadmin(user):
        return True
    return bool(
        package.owner_org and authz.users_role_for_group_or_org(package.owner_org, user) == "admin"
    )


def vnopendata_dataset_approve(context: Context, data_dict: DataDict) -> AuthResult:
    if can_review(context.get("user") or "", _package(data_dict)):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only an admin of the dataset's agency can approve or return it"),
    }


def vnopendata_dataset_return(context: Context, data_dict: DataDict) -> AuthResult:
    return vnopendata_dataset_approve(context, data_dict)


def vnopendata_review_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the queue lists only the user's own agencies."""
    if not context.get("user"):
        return {"success": False, "msg": tk._("You must be logged in to see the review queue")}
    return {"success": True}


def _needs_data(result: AuthResult, context: Context, package_id: str | None) -> AuthResult:
    if not result.get("success") or not package_id:
        return result
    user = context.get("auth_user_obj") or context.get("user")
    if not labels.has_full_access(user, package_id):  # type: ignore[arg-type]
        return {
            "success": False,
            "msg": tk._("Only the metadata of this dataset is visible to you"),
        }
    return result


@tk.auth_allow_anonymous_access
@tk.chained_auth_function
def resource_show(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Resources, their views and downloads need the data, not just the metadata."""
    result = next_auth(context, data_dict)  # type: ignore[call-arg]
    resource = model.Resource.get(data_dict.get("id") or "")
    return _needs_data(result, context, resource.package_id if resource else None)


@tk.auth_allow_anonymous_access
@tk.chained_auth_function
def package_activity_list(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """A dataset's activity stores whole versions of it, resources included."""
    result = next_auth(context, data_dict)  # type: ignore[call-arg]
    package = model.Package.get(data_dict.get("id") or "")
    return _needs_data(result, context, package.id if package else None)
