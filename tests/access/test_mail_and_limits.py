"""E-mail through CKAN's job queue to a real SMTP server, the daily notices
(overdue once, expiry warnings once), and the rate limit on requests."""

from __future__ import annotations

import datetime
import email
import email.policy
import re

import ckan.plugins.toolkit as tk
import pytest
from aiosmtpd.controller import Controller
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from rq import SimpleWorker

from access.helpers import REQUEST_FIELDS, as_user
from ckanext.vnopendata.model.access import AccessRequest
from ckanext.vnopendata.sharing import deadlines, notices

SMTP_PORT = 8126

# Mail is composed in both languages, which needs the app's translations.
pytestmark = pytest.mark.usefixtures("with_request_context")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    jobs.get_queue().empty()
    yield handler
    controller.stop()


def deliver() -> None:
    """Run the queued mail jobs as `ckan jobs worker` would (without forking)."""
    queue = jobs.get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _to(inbox, address):
    return [m for m in inbox.messages if address in m["To"]]


@pytest.mark.ckan_config("smtp.server", f"127.0.0.1:{SMTP_PORT}")
@pytest.mark.ckan_config("smtp.mail_from", "cong-du-lieu@example.gov.vn")
def test_decisions_are_mailed_through_the_job_queue(world, inbox):
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    as_user(
        world.admin,
        "vnopendata_access_request_refuse",
        id=request["id"],
        reason="Dữ liệu nhạy cảm",
        legal_basis_number="13/2023/NĐ-CP",
        legal_basis_article="Điều 2",
        complaint_route="Thanh tra Bộ",
    )
    assert inbox.messages == []  # queued, not sent by the action
    deliver()
    to_admins = _to(inbox, "admin@example.gov.vn")
    assert to_admins and "so-bhxh" in to_admins[0]["Subject"]
    refusal = _to(inbox, "official@example.gov.vn")
    assert len(refusal) == 1
    body = refusal[0].get_content()
    assert "13/2023/NĐ-CP" in body and "Thanh tra Bộ" in body and "Dữ liệu nhạy cảm" in body
    # Vietnamese first, then English.
    assert body.index("Lý do") < body.index("Reason")


@pytest.mark.ckan_config("smtp.server", f"127.0.0.1:{SMTP_PORT}")
@pytest.mark.ckan_config("smtp.mail_from", "cong-du-lieu@example.gov.vn")
@pytest.mark.ckan_config("ckanext.vnopendata.grants.warning_days", "7")
def test_overdue_and_expiry_notices_are_sent_once(world, inbox, cli):
    overdue = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    row = model.Session.get(AccessRequest, overdue["id"])
    row.due = deadlines.vietnam_today() - datetime.timedelta(days=1)
    model.repo.commit()
    granted = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted2["id"],
        **REQUEST_FIELDS,
    )
    soon = deadlines.vietnam_today() + datetime.timedelta(days=3)
    as_user(
        world.admin, "vnopendata_access_request_approve", id=granted["id"], expires=soon.isoformat()
    )
    deliver()
    inbox.messages.clear()

    # As cron runs it: the command, in Vietnamese and English.
    result = cli.invoke(ckan, ["vnopendata", "access", "notify"])
    assert result.exit_code == 0, result.output
    assert "Overdue requests notified: 1; expiry warnings sent: 1." in result.output
    deliver()
    to_admin = _to(inbox, "admin@example.gov.vn")
    assert len(to_admin) == 1 and len(_to(inbox, "admin2@example.gov.vn")) == 1
    assert "quá hạn" in to_admin[0]["Subject"] and "Overdue" in to_admin[0]["Subject"]
    warning = _to(inbox, "official@example.gov.vn")
    assert len(warning) == 1 and soon.isoformat() in warning[0]["Subject"]

    # Once only.
    assert notices.send_overdue_notices() == 0
    assert notices.send_expiry_warnings() == 0
    entries = as_user(world.admin, "vnopendata_audit_list", action="request_overdue")
    assert entries["count"] == 1
    entries = as_user(world.admin, "vnopendata_audit_list", action="grant_expiry_warning")
    assert entries["count"] == 1


def assert_two_filed_then_the_third_refused(world) -> None:
    """Under a limit of 2 per hour: two requests are filed (and withdrawn,
    so that no pending request stands in the way), the third is refused
    with the limit's message."""
    for dataset in (world.restricted, world.restricted2):
        filed = as_user(
            world.official,
            "vnopendata_access_request_create",
            package_id=dataset["id"],
            **REQUEST_FIELDS,
        )
        assert filed["state"] == "pending"
    for pending in as_user(world.official, "vnopendata_access_request_list", state="pending"):
        as_user(world.official, "vnopendata_access_request_withdraw", id=pending["id"])
    with pytest.raises(tk.ValidationError) as error:
        as_user(
            world.official,
            "vnopendata_access_request_create",
            package_id=world.restricted["id"],
            **REQUEST_FIELDS,
        )
    assert "2 per hour" in error.value.error_dict["rate_limit"][0]


@pytest.mark.ckan_config("ckanext.vnopendata.requests.rate_limit", "2 per hour")
def test_requests_per_account_are_limited(world):
    assert_two_filed_then_the_third_refused(world)


@pytest.mark.ckan_config("ckanext.vnopendata.requests.rate_limit", "2 per hour")
def test_requests_are_filed_and_still_limited_while_redis_is_down(world, monkeypatch, free_port):
    from limits.storage import MemoryStorage, storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from ckanext.vnopendata import ratelimit

    unreachable = storage_from_string(f"redis://127.0.0.1:{free_port()}/0")
    assert not unreachable.check()
    monkeypatch.setattr(ratelimit._limiter, "_limiter", FixedWindowRateLimiter(unreachable))
    monkeypatch.setattr(ratelimit, "_memory", FixedWindowRateLimiter(MemoryStorage()))
    assert_two_filed_then_the_third_refused(world)


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "true")
@pytest.mark.ckan_config("ckanext.vnopendata.registrations.rate_limit", "1 per hour")
def test_registrations_per_address_are_limited(app, world):
    redis = connect_to_redis()
    for key in redis.scan_iter("*vnopendata*"):
        redis.delete(key)
    address = {"REMOTE_ADDR": "203.0.113.9"}
    responses = []
    for number in (1, 2):
        form = app.get("/user/register", environ_base=address).get_data(as_text=True)
        token = re.search(r'name="_csrf_token"\s+value="([^"]+)"', form).group(1)
        responses.append(
            app.post(
                "/user/register",
                data={
                    "_csrf_token": token,
                    "name": f"cong-dan-{number}",
                    "fullname": "Công dân",
                    "email": f"cong-dan-{number}@example.vn",
                    "password1": "mat-khau-du-dai-2026",
                    "password2": "mat-khau-du-dai-2026",
                },
                environ_base=address,
                follow_redirects=False,
            )
        )
    assert responses[0].status_code in (200, 302)
    assert model.User.get("cong-dan-1") is not None
    assert responses[1].status_code == 429
    assert "1 per hour" in responses[1].get_data(as_text=True)
    assert model.User.get("cong-dan-2") is None


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        ("redis://127.0.0.1:6379/1", {"host": "127.0.0.1", "port": 6379, "db": 1}),
        ("unix:///run/redis/redis.sock?db=2", {"path": "/run/redis/redis.sock", "db": 2}),
    ],
)
def test_the_limiter_shares_ckans_redis_on_tcp_or_a_socket(redis_url, expected):
    from limits.storage import storage_from_string

    from ckanext.vnopendata.ratelimit import storage_uri

    storage = storage_from_string(storage_uri(redis_url))
    kwargs = storage.storage.connection_pool.connection_kwargs
    assert {key: kwargs.get(key) for key in expected} == expected
