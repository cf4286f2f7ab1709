"""Pages of access requests, decisions, grants and the audit log."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("vnopendata_access", __name__)
