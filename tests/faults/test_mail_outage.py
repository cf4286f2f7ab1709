"""SMTP server down: reviews still succeed, and the mails they queue are
retried by CKAN's job worker and delivered once the server is back.

Real parts: the review actions, CKAN's queue on the test Redis, a real
`ckan jobs worker` process, and an aiosmtpd server that starts only after
the first attempts have failed.
"""

from __future__ import annotations

import os
import socket
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subject_of(content: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(content)["Subject"])))


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_reviews_succeed_and_mail_is_delivered_when_smtp_returns(clean_db, monkeypatch, job_queue):
    monkeypatch.setattr(mail, "RETRY_INTERVALS", [1, 2, 2, 3, 3, 5, 5, 5])
    port = free_port()  # nothing listens here yet: the SMTP server is "down"
    agency = factories.Organization(
        name="bo-y-te",
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code="000.00.00.G10",
        agency_type="ministry",
        agency_level="central",
        image_url="",
    )
    editor = factories.User(name="bien-tap", email="bientap@example.vn")
    admin = factories.User(name="lanh-dao", email="lanhdao@example.vn")
    for user, role in ((editor, "editor"), (admin, "admin")):
        helpers.call_action(
            "organization_member_create", id=agency["id"], username=user["name"], role=role
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
            "package_create", {"user": editor["name"]}, **valid_dataset(agency["id"])
        )
        submitted = helpers.call_action(
            "vnopendata_dataset_submit", {"user": editor["name"]}, id=dataset["id"]
        )
        assert submitted["review_state"] == "submitted"
        published = helpers.call_action(
            "vnopendata_dataset_approve", {"user": admin["name"]}, id=dataset["id"]
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
