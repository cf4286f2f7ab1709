"""SMTP server down: reviews still succeed, and the mails they queue are
retried by CKAN's job worker and delivered once the server is back. Redis
unreachable: reviews still succeed, their mails are kept in PostgreSQL and
queued, then delivered, once Redis answers again.

Real parts: the review actions, CKAN's queue on the test Redis, a real
`ckan jobs worker` process, and an aiosmtpd server that starts only after
the first attempts have failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from aiosmtpd.controller import Controller
from ckan.common import config
from vn_schema_data import valid_dataset

from ckanext.vnopendata.sharing import mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def agency_with_reviewers(name: str, title: dict[str, str], code: str, suffix: str = "") -> str:
    """An agency with an editor and an admin (its reviewer), both with an
    e-mail address; returns the agency's id."""
    agency = factories.Organization(
        name=name,
        title_translated=title,
        agency_code=code,
        agency_type="ministry",
        agency_level="central",
        image_url="",
    )
    editor = factories.User(name=f"bien-tap{suffix}", email="bientap@example.vn")
    admin = factories.User(name=f"lanh-dao{suffix}", email="lanhdao@example.vn")
    for user, role in ((editor, "editor"), (admin, "admin")):
        helpers.call_action(
            "organization_member_create", id=agency["id"], username=user["name"], role=role
        )
    return agency["id"]


def subject_of(content: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(content)["Subject"])))


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_reviews_succeed_and_mail_is_delivered_when_smtp_returns(
    clean_db, monkeypatch, job_queue, free_port
):
    monkeypatch.setattr(mail, "RETRY_INTERVALS", [1, 2, 2, 3, 3, 5, 5, 5])
    port = free_port()  # nothing listens here yet: the SMTP server is "down"
    agency_id = agency_with_reviewers(
        "bo-y-te", {"vi": "Bộ Y tế", "en": "Ministry of Health"}, "000.00.00.G10"
    )
    queue = job_queue  # no job of an earlier test or run

    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "ckan"), "-c", config["__file__"], "jobs", "worker"],
        env={
            **os.environ,
            "CKAN_SMTP_SERVER": f"127.0.0.1:{port}",
            "CKAN_SMTP_MAIL_FROM": "portal@example.vn",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    controller = None
    try:
        dataset = helpers.call_action(
            "package_create", {"user": "bien-tap"}, **valid_dataset(agency_id)
        )
        submitted = helpers.call_action(
            "vnopendata_dataset_submit", {"user": "bien-tap"}, id=dataset["id"]
        )
        assert submitted["review_state"] == "submitted"
        published = helpers.call_action(
            "vnopendata_dataset_approve", {"user": "lanh-dao"}, id=dataset["id"]
        )
        assert published["review_state"] == "published"

        # The worker tries, fails, and schedules retries; nothing is lost.
        registry = queue.scheduled_job_registry
        deadline = time.monotonic() + 60
        while registry.count == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert registry.count >= 1, "no mail job was retried after a failed attempt"

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        deadline = time.monotonic() + 90
        while len(inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        recipients = sorted(r for rcpts, _ in inbox.messages for r in rcpts)
        assert recipients == ["bientap@example.vn", "lanhdao@example.vn"]
        subjects = {subject_of(content) for _, content in inbox.messages}
        assert any("Dataset approved" in s or "duyệt" in s for s in subjects), subjects
        assert queue.failed_job_registry.count == 0
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        if controller is not None:
            controller.stop()


@pytest.fixture
def redis_down(free_port):
    """CKAN's job queue pointed at a port where no Redis listens: what the
    portal meets while Redis is stopped. Undone by `back` (or at the end of
    the test); the test's own monkeypatches are left alone."""
    import ckan.lib.jobs as jobs
    import ckan.lib.redis as ckan_redis
    import redis

    patch = pytest.MonkeyPatch()
    patch.setattr(jobs, "_queues", {})
    patch.setattr(
        ckan_redis,
        "_connection_pool",
        redis.ConnectionPool.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=2),
    )
    yield patch.undo
    patch.undo()


def served(app) -> None:
    """A request served to its end: the WSGI server closes the response,
    which runs what the portal does after sending it."""
    response = app.get("/api/3/action/status_show")
    assert response.status_code == 200
    response.close()


def _kept() -> list[tuple[list[str], str]]:
    from ckan import model

    from ckanext.vnopendata.model.mail import KeptMail

    rows = model.Session.query(KeptMail).order_by(KeptMail.id).all()
    model.Session.expire_all()
    return [([address for _, address in row.recipients], row.subject) for row in rows]


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_mail_is_kept_while_redis_is_down_and_sent_when_it_returns(
    clean_db, app, monkeypatch, job_queue, redis_down, free_port
):
    agency_id = agency_with_reviewers(
        "bo-tai-chinh", {"vi": "Bộ Tài chính", "en": "Ministry of Finance"}, "000.00.00.G12", "-tc"
    )
    dataset = helpers.call_action(
        "package_create", {"user": "bien-tap-tc"}, **valid_dataset(agency_id)
    )
    # Redis is down: both decisions are saved, and their mails are kept.
    submitted = helpers.call_action(
        "vnopendata_dataset_submit", {"user": "bien-tap-tc"}, id=dataset["id"]
    )
    assert submitted["review_state"] == "submitted"
    published = helpers.call_action(
        "vnopendata_dataset_approve", {"user": "lanh-dao-tc"}, id=dataset["id"]
    )
    assert published["review_state"] == "published"
    kept = _kept()
    assert [recipients for recipients, _ in kept] == [
        ["lanhdao@example.vn"],
        ["bientap@example.vn"],
    ]
    assert "Dataset approved" in kept[1][1] or "duyệt" in kept[1][1]

    # Still down: a request's look at the kept mails keeps them.
    monkeypatch.setattr(mail, "_next_release", 0.0)
    served(app)
    assert len(_kept()) == 2

    # Redis answers again: the web server's next look queues them, oldest
    # first, and a worker sends them.
    redis_down()
    assert job_queue.count == 0
    monkeypatch.setattr(mail, "_next_release", 0.0)
    served(app)
    assert _kept() == []
    assert [[address for _, address in job.args[0]] for job in job_queue.jobs] == [
        ["lanhdao@example.vn"],
        ["bientap@example.vn"],
    ]
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        subprocess.run(
            [str(Path(sys.executable).parent / "ckan"), "-c", config["__file__"],
             "jobs", "worker", "--burst"],
            env={**os.environ, "CKAN_SMTP_SERVER": f"127.0.0.1:{port}",
                 "CKAN_SMTP_MAIL_FROM": "portal@example.vn"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True,
        )  # fmt: skip
    finally:
        controller.stop()
    assert sorted(r for rcpts, _ in inbox.messages for r in rcpts) == [
        "bientap@example.vn",
        "lanhdao@example.vn",
    ]


def test_mail_release_command_queues_the_kept_mails(clean_db, cli, job_queue, redis_down):
    from ckan.cli.cli import ckan as ckan_command

    mail.enqueue([("Cán bộ", "canbo@example.vn")], "Thử / Test", "Nội dung.")
    assert _kept() == [(["canbo@example.vn"], "Thử / Test")]
    result = cli.invoke(ckan_command, ["vnopendata", "mail", "release"])
    assert result.exit_code == 1 and "Mails queued: 0; still kept: 1." in result.output
    redis_down()
    result = cli.invoke(ckan_command, ["vnopendata", "mail", "release"])
    assert result.exit_code == 0, result.output
    assert "Mails queued: 1; still kept: 0." in result.output
    assert [job.args[1] for job in job_queue.jobs] == ["Thử / Test"]
