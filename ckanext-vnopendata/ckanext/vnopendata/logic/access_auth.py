"""Auth functions of the access-request, grant and audit actions.

Sysadmins pass every auth function (CKAN checks that first); anonymous
users fail them all (none allows anonymous access).
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.vnopendata.model.access import AccessGrant, AccessRequest
from ckanext.vnopendata.sharing import requests

__all__ = [
    "vnopendata_access_request_create",
    "vnopendata_access_request_show",
    "vnopendata_access_request_list",
    "vnopendata_access_request_withdraw",
    "vnopendata_access_request_approve",
    "vnopendata_access_request_refuse",
    "vnopendata_access_grant_list",
    "vnopendata_access_grant_revoke",
    "vnopendata_audit_list",
]


def _user_id(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def _is_admin_of(context: Context, org_id_or_name: str | None) -> bool:
    user_id = _user_id(context)
    group = model.Group.get(org_id_or_name or "")
    return bool(user_id and group and group.id in requests.admin_agency_ids(user_id))


def _refused(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _request(data_dict: DataDict) -> AccessRequest | None:
    return model.Session.get(AccessRequest, data_dict.get("id") or "")


def vnopendata_access_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    # Any logged-in user; whether the dataset's class lets them ask is a
    # validation question with an explanation, not an auth failure.
    return {"success": _user_id(context) is not None}


def vnopendata_access_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    request = _request(data_dict)
    if request and (
        request.user_id == _user_id(context) or _is_admin_of(context, request.owner_org)
    ):
        return {"success": True}
    return _refused(tk._("Only the requester and the agency's admins can see this request"))


def vnopendata_access_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    if data_dict.get("owner_org") and not _is_admin_of(context, data_dict["owner_org"]):
        return _refused(tk._("Only the agency's admins can see its request queue"))
    return {"success": _user_id(context) is not None}


def vnopendata_access_request_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    request = _request(data_dict)
    if request and request.user_id == _user_id(context):
        return {"success": True}
    return _refused(tk._("Only the requester can withdraw a request"))


def _decide(context: Context, data_dict: DataDict) -> AuthResult:
    request = _request(data_dict)
    if request and _is_admin_of(context, request.owner_org):
        return {"success": True}
    return _refused(tk._("Only the admins of the agency that owns the dataset can decide"))


def vnopendata_access_request_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def vnopendata_access_request_refuse(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def vnopendata_access_grant_list(context: Context, data_dict: DataDict) -> AuthResult:
    if data_dict.get("owner_org") and not _is_admin_of(context, data_dict["owner_org"]):
        return _refused(tk._("Only the agency's admins can see its grants"))
    return {"success": _user_id(context) is not None}


def vnopendata_access_grant_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    grant = model.Session.get(AccessGrant, data_dict.get("id") or "")
    if grant and _is_admin_of(context, grant.owner_org):
        return {"success": True}
    return _refused(tk._("Only the admins of the agency that owns the dataset can revoke"))


def vnopendata_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    user_id = _user_id(context)
    if not user_id or not requests.admin_agency_ids(user_id):
        return _refused(tk._("Only agency admins and sysadmins can read the audit log"))
    if data_dict.get("owner_org") and not _is_admin_of(context, data_dict["owner_org"]):
        return _refused(tk._("You can only read the audit log of your own agencies"))
    return {"success": True}
