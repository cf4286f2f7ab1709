"""Demo access requests, loaded once after the demo datasets.

Shows every state a reviewer of the portal should see: a pending request,
an overdue one (e-mailed to the agency's admins by `ckan vnopendata access
notify`), an approved one with its live grant, a written refusal, and a
grant that has expired. The requesters are two demo accounts: an official
of the Ministry of Health and a citizen.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import click
import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.model.access import AccessGrant, AccessRequest
from ckanext.vnopendata.sharing import classes, deadlines, requests

OFFICIAL = "demo-can-bo-bo-y-te"
CITIZEN = "demo-cong-dan"
OFFICIAL_AGENCY = "bo-y-te"


def _user(name: str, fullname: str, site_user: str) -> model.User:
    user = model.User.get(name)
    if user is None:
        tk.get_action("user_create")(
            {"user": site_user, "ignore_auth": True},
            {
                "name": name,
                "fullname": fullname,
                "email": f"{name}@example.vn",
                "password": secrets.token_urlsafe(16),
            },
        )
        user = model.User.get(name)
    assert user is not None
    return user


def _published(sharing_class: str, exclude_org: str) -> list[model.Package]:
    """Published datasets of a class outside one agency (the demo keeps its
    drafts and datasets under review as they are)."""
    packages = model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.owner_org != exclude_org
    )
    return sorted(
        (
            package
            for package in packages
            if (package.extras or {}).get("sharing_class") == sharing_class
            and requests.requestable(package)
        ),
        key=lambda package: package.name,
    )


def _ask(user: model.User, package: model.Package, **fields: Any) -> dict[str, Any]:
    return tk.get_action("vnopendata_access_request_create")(
        {"user": user.name},
        {
            "package_id": package.id,
            "purpose": fields.pop("purpose"),
            "legal_basis": "Luật Dữ liệu 60/2024/QH15, Điều 17",
            "items": [resource.name for resource in package.resources] or [package.title],
            "duration_days": 180,
            "contact": f"{user.email}",
            **fields,
        },
    )


def load(echo: Callable[[str], Any] = click.echo) -> int:
    """Create the demo requests once; return how many were created."""
    existing = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(AccessRequest)
        .join(model.User, model.User.id == AccessRequest.user_id)
        .where(model.User.name.in_([OFFICIAL, CITIZEN]))
    ).scalar_one()
    if existing:
        echo(f"Demo access requests already loaded ({existing}).")
        return 0
    agency = model.Group.get(OFFICIAL_AGENCY)
    if agency is None:
        echo("Load the demo agencies first (ckan vnopendata demo).")
        return 0
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    official = _user(OFFICIAL, "Nguyễn Thị Hoa (Bộ Y tế)", site_user)
    citizen = _user(CITIZEN, "Trần Văn Bình", site_user)
    tk.get_action("organization_member_create")(
        {"user": site_user, "ignore_auth": True},
        {"id": agency.id, "username": official.name, "role": "member"},
    )
    restricted = _published(classes.RESTRICTED.key, agency.id)
    inter_agency = _published(classes.INTER_AGENCY.key, agency.id)
    if len(restricted) < 3 or len(inter_agency) < 2:
        echo("Not enough published restricted and inter-agency demo datasets for the requests.")
        return 0
    decider = {"user": site_user}
    today = deadlines.vietnam_today()

    pending = _ask(official, restricted[0], purpose="Đối chiếu số liệu phục vụ báo cáo ngành y tế")
    overdue = _ask(official, restricted[1], purpose="Xây dựng bản đồ dịch tễ cấp xã")
    row = model.Session.get(AccessRequest, overdue["id"])
    row.created -= datetime.timedelta(days=10)
    row.due = deadlines.due_date(row.created)
    approved = _ask(
        citizen, inter_agency[0], purpose="Nghiên cứu khoa học", requester_type="individual"
    )
    tk.get_action("vnopendata_access_request_approve")(
        dict(decider),
        {
            "id": approved["id"],
            "expires": (today + datetime.timedelta(days=60)).isoformat(),
            "conditions": "Chỉ dùng cho nghiên cứu; không công bố dữ liệu cá nhân.",
        },
    )
    refused = _ask(
        citizen,
        inter_agency[1],
        purpose="Phát triển ứng dụng thương mại",
        requester_type="organisation",
    )
    tk.get_action("vnopendata_access_request_refuse")(
        dict(decider),
        {
            "id": refused["id"],
            "reason": (
                "Dữ liệu có thông tin cá nhân; mục đích thương mại cần sự đồng ý "
                "của chủ thể dữ liệu."
            ),
            "legal_basis_number": "13/2023/NĐ-CP",
            "legal_basis_article": "Điều 11 khoản 1",
            "complaint_route": "Thanh tra cơ quan sở hữu dữ liệu, theo Luật Khiếu nại 2011",
        },
    )
    expired = _ask(official, restricted[2], purpose="Kiểm tra chéo số liệu năm trước")
    result = tk.get_action("vnopendata_access_request_approve")(
        dict(decider), {"id": expired["id"]}
    )
    grant = model.Session.get(AccessGrant, result["grant"]["id"])
    grant.expires = today - datetime.timedelta(days=1)
    grant.expires_at = deadlines.end_of_day_utc(grant.expires)
    model.repo.commit()
    for label, request in (
        ("pending", pending),
        ("overdue", overdue),
        ("approved", approved),
        ("refused", refused),
        ("expired grant", expired),
    ):
        echo(f"access request {label}: {request['id']}")
    return 5
