"""The demo holds a pending, an overdue, an approved and a refused request,
and an expired grant; a second run adds nothing."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata import demo, demo_access
from ckanext.vnopendata.model.access import AccessGrant, AccessRequest
from ckanext.vnopendata.sharing import audit, deadlines

pytestmark = pytest.mark.usefixtures("clean_db", "with_request_context")


def test_demo_requests_cover_every_state_once():
    demo.load(echo=lambda _: None)
    assert demo_access.load(echo=lambda _: None) == 5
    assert demo_access.load(echo=lambda _: None) == 0
    rows = model.Session.execute(sa.select(AccessRequest)).scalars().all()
    states = sorted(row.state for row in rows)
    assert states == ["approved", "approved", "pending", "pending", "refused"]
    today = deadlines.vietnam_today()
    assert any(row.state == "pending" and row.due < today for row in rows)
    assert any(row.state == "pending" and row.due >= today for row in rows)
    refused = next(row for row in rows if row.state == "refused")
    assert refused.legal_basis_number and refused.legal_basis_article
    grants = model.Session.execute(sa.select(AccessGrant)).scalars().all()
    now = datetime.datetime.utcnow()
    assert sorted(grant.state_at(now) for grant in grants) == ["active", "expired"]
    assert audit.verify()[1] is None
