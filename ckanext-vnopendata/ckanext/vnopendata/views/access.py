"""Pages of access requests, decisions, grants and the audit log.

Every page calls the same actions as the API; a form that fails validation
is shown again with what was typed and the errors beside the fields. Reads
of non-open data through the API and resource downloads are recorded in
the audit log (`record_reads`).
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from flask import Blueprint, Response

from ckanext.vnopendata.logic import access as access_actions
from ckanext.vnopendata.model.access import AccessRequest, AuditEntry
from ckanext.vnopendata.sharing import audit, deadlines, labels, notices, requests

blueprint = Blueprint("vnopendata_access", __name__)

CSV_FIELDS = (
    "seq",
    "created",
    "user_name",
    "user_id",
    "action",
    "package_id",
    "owner_org",
    "object_id",
    "reason",
    "detail",
    "hash",
)
AUDIT_FILTERS = ("package_id", "user_id", "owner_org", "action", "since", "until")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _require_login() -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return None


def _form() -> dict[str, Any]:
    return {key: value for key, value in tk.request.form.items() if key != "_csrf_token"}


def _render(template: str, **extra: Any) -> Any:
    return tk.render(
        template,
        extra_vars={
            "notices": notices,
            "requests_module": requests,
            **extra,
        },
    )


@blueprint.route("/dataset/<id>/request-access")
def dataset_request(id: str) -> Any:
    return tk.redirect_to("vnopendata_access.new_request", package_id=id)


@blueprint.route("/access/request/new", methods=["GET", "POST"])
def new_request() -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    user = model.User.get(tk.current_user.name)
    memberships = [model.Group.get(org_id) for org_id in requests.agency_ids(user.id)]
    data: dict[str, Any] = {"package_id": tk.request.args.get("package_id", "")}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = _form()
        try:
            created = tk.get_action("vnopendata_access_request_create")(_context(), dict(data))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(
                tk._("Your request was sent. The agency answers by {due}.").format(
                    due=created["due"]
                )
            )
            return tk.redirect_to("vnopendata_access.read_request", id=created["id"])
    package = model.Package.get(data.get("package_id") or "")
    title = None
    if package is not None:
        try:
            tk.check_access("package_show", _context(), {"id": package.id})
            title = package.title
        except tk.NotAuthorized:
            pass
    return _render(
        "vnopendata/access/request_form.html",
        data=data,
        errors=errors,
        package_title=title,
        memberships=memberships,
        response_days=deadlines.response_days(),
    )


def _decision_defaults() -> dict[str, Any]:
    import datetime

    days = int(tk.config.get("ckanext.vnopendata.grants.default_days"))
    return {
        "expires": (deadlines.vietnam_today() + datetime.timedelta(days=days)).isoformat(),
        "complaint_route": tk.config.get("ckanext.vnopendata.requests.complaint_route") or "",
    }


def _show_request(id: str, **extra: Any) -> Any:
    try:
        request = tk.get_action("vnopendata_access_request_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Access request not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    user = model.User.get(tk.current_user.name)
    can_decide = bool(
        user and (user.sysadmin or request["owner_org"] in requests.admin_agency_ids(user.id))
    )
    requester = model.User.get(request["user_id"])
    agency = model.Group.get(request["owner_org"])
    return _render(
        "vnopendata/access/request_read.html",
        request=request,
        requester=requester,
        agency=agency,
        can_decide=can_decide,
        is_requester=bool(user and user.id == request["user_id"]),
        approve_data=extra.pop("approve_data", _decision_defaults()),
        refuse_data=extra.pop("refuse_data", _decision_defaults()),
        approve_errors=extra.pop("approve_errors", {}),
        refuse_errors=extra.pop("refuse_errors", {}),
        **extra,
    )


@blueprint.route("/access/request/<id>")
def read_request(id: str) -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    return _show_request(id)


def _decide(id: str, action: str, form_name: str, done: str) -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    data = _form()
    try:
        tk.get_action(action)(_context(), {**data, "id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Access request not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return _show_request(
            id, **{f"{form_name}_data": data, f"{form_name}_errors": error.error_dict}
        )
    tk.h.flash_success(done)
    return tk.redirect_to("vnopendata_access.read_request", id=id)


@blueprint.route("/access/request/<id>/approve", methods=["POST"])
def approve(id: str) -> Any:
    return _decide(id, "vnopendata_access_request_approve", "approve", tk._("Request approved"))


@blueprint.route("/access/request/<id>/refuse", methods=["POST"])
def refuse(id: str) -> Any:
    return _decide(id, "vnopendata_access_request_refuse", "refuse", tk._("Request refused"))


@blueprint.route("/access/request/<id>/withdraw", methods=["POST"])
def withdraw(id: str) -> Any:
    return _decide(id, "vnopendata_access_request_withdraw", "withdraw", tk._("Request withdrawn"))


@blueprint.route("/access/grant/<id>/revoke", methods=["POST"])
def revoke(id: str) -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    back = tk.request.form.get("came_from") or tk.h.url_for("vnopendata_access.dashboard")
    try:
        tk.get_action("vnopendata_access_grant_revoke")(
            _context(), {"id": id, "reason": tk.request.form.get("reason", "")}
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Grant not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        tk.h.flash_error(
            " ".join(str(m) for messages in error.error_dict.values() for m in messages)
        )
        return tk.redirect_to(back)
    tk.h.flash_success(tk._("Grant revoked"))
    return tk.redirect_to(back)


@blueprint.route("/dashboard/access")
def dashboard() -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    context = _context()
    return _render(
        "vnopendata/access/dashboard.html",
        user_dict=tk.get_action("user_show")(context, {"id": tk.current_user.id}),
        my_requests=tk.get_action("vnopendata_access_request_list")(context, {}),
        my_grants=tk.get_action("vnopendata_access_grant_list")(context, {}),
        admin_agencies=[
            model.Group.get(org_id)
            for org_id in requests.admin_agency_ids(model.User.get(tk.current_user.name).id)
        ],
    )


def _queue_counts(org_id: str) -> dict[str, int]:
    rows = model.Session.execute(
        sa.select(AccessRequest.state, sa.func.count())
        .where(AccessRequest.owner_org == org_id)
        .group_by(AccessRequest.state)
    ).all()
    counts = {state: 0 for state in requests.STATES}
    counts.update({state: count for state, count in rows})
    counts["overdue"] = model.Session.execute(
        sa.select(sa.func.count()).where(
            AccessRequest.owner_org == org_id,
            AccessRequest.state == requests.PENDING,
            AccessRequest.due < deadlines.vietnam_today(),
        )
    ).scalar_one()
    return counts


@blueprint.route("/organization/<id>/access-requests")
def queue(id: str) -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    agency = model.Group.get(id)
    if agency is None or not agency.is_organization:
        return tk.abort(404, tk._("Agency not found"))
    state = tk.request.args.get("state") or requests.PENDING
    context = _context()
    try:
        items = tk.get_action("vnopendata_access_request_list")(
            context, {"owner_org": agency.id, "state": state}
        )
        agency_grants = tk.get_action("vnopendata_access_grant_list")(
            context, {"owner_org": agency.id, "state": "active"}
        )
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError:
        return tk.abort(400, tk._("Unknown state"))
    return _render(
        "vnopendata/access/queue.html",
        agency=agency,
        state=state,
        items=items,
        grants=agency_grants,
        counts=_queue_counts(agency.id),
    )


def _audit_filters() -> dict[str, Any]:
    return {key: tk.request.args[key] for key in AUDIT_FILTERS if tk.request.args.get(key)}


@blueprint.route("/audit")
def audit_page() -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    filters = _audit_filters()
    page = max(int(tk.request.args.get("page", "1") or 1), 1)
    per_page = 50
    errors: dict[str, Any] = {}
    result: dict[str, Any] = {"count": 0, "results": []}
    try:
        result = tk.get_action("vnopendata_audit_list")(
            _context(), {**filters, "limit": per_page, "offset": (page - 1) * per_page}
        )
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        errors = error.error_dict
    return _render(
        "vnopendata/access/audit.html",
        filters=filters,
        errors=errors,
        result=result,
        page=page,
        per_page=per_page,
        actions=audit.ACTIONS,
    )


@blueprint.route("/audit.csv")
def audit_csv() -> Any:
    if (redirect := _require_login()) is not None:
        return redirect
    context = _context()
    filters = _audit_filters()
    try:
        tk.check_access("vnopendata_audit_list", context, filters)
        validated, errors = tk.navl_validate(filters, access_actions.schema.audit_list(), context)
        if errors:
            raise tk.ValidationError(errors)
        query = access_actions.audit_query(context, validated)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(f"{k}: {v}" for k, v in error.error_dict.items()))

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    entries = model.Session.execute(
        query.order_by(AuditEntry.seq).execution_options(yield_per=1000)
    ).scalars()
    for entry in entries:
        row = audit.entry_dict(entry)
        row["detail"] = entry.detail
        writer.writerow({field: row.get(field) for field in CSV_FIELDS})
    # The BOM lets Excel open the UTF-8 file with Vietnamese intact.
    body = codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="audit.csv"',
        },
    )


# Reads of non-open data: API reads of a dataset or resource, and downloads.
READ_ACTIONS = ("package_show", "resource_show")


def _read_target() -> tuple[str, str | None] | None:
    """The read action and the id it named, or None for other requests."""
    endpoint = tk.request.endpoint or ""
    view_args = tk.request.view_args or {}
    if endpoint.endswith("resource.download"):
        return "resource_download", view_args.get("resource_id")
    if endpoint == "api.action" and view_args.get("logic_function") in READ_ACTIONS:
        params = dict(tk.request.args)
        body = tk.request.get_json(silent=True) if tk.request.is_json else None
        if isinstance(body, dict):
            params.update(body)
        return view_args["logic_function"], params.get("id")
    return None


@blueprint.after_app_request
def record_reads(response: Response) -> Response:
    target = _read_target()
    if target is None or response.status_code >= 400 or not isinstance(target[1], str):
        return response
    read, object_id = target
    resource = model.Resource.get(object_id) if read != "package_show" else None
    package = resource.package if resource is not None else model.Package.get(object_id)
    if package is None or labels.PUBLIC in labels.labels_of_package(package):
        return response
    user = model.User.get(tk.current_user.name) if tk.current_user.is_authenticated else None
    try:
        audit.record(
            "resource_download" if read == "resource_download" else "api_read",
            user_id=user.id if user else None,
            package_id=package.id,
            owner_org=package.owner_org,
            object_id=resource.id if resource is not None else package.id,
            detail={"read": read, "status": response.status_code},
        )
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return response
