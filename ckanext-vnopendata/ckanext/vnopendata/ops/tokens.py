"""API tokens of deleted or blocked accounts are refused outright.

CKAN itself treats a request carrying the token of a deleted user as
anonymous, so the caller silently reads public data. Here such a request
is refused with 403 and a message that names the reason, from the moment
the account is deleted or blocked (state other than ``active``).
"""

from __future__ import annotations

import ckan.model as model
from ckan.common import config
from ckan.lib import api_token
from flask import Response, jsonify, request

MESSAGE = (
    "Khóa API này thuộc một tài khoản đã bị xóa hoặc bị khóa. "
    "This API token belongs to a deleted or blocked account."
)


def refuse_inactive_token() -> Response | None:
    # CKAN 2.12's name for the header (``apikey_header_name`` is its legacy
    # spelling, which CKAN maps to this one when an ini still uses it).
    header = config.get("apitoken_header_name") or "Authorization"
    token = request.headers.get(header, "")
    if not token:
        return None
    user = api_token.get_user_from_token(token, update_access_time=False)
    if user is None or user.state == model.State.ACTIVE:
        return None
    response = jsonify(
        {"success": False, "error": {"__type": "Authorization Error", "message": MESSAGE}}
    )
    response.status_code = 403
    return response
