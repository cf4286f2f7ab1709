"""Review mail through CKAN's job queue, delivered to a real SMTP server.

The actions only queue a job; a CKAN worker (run here in burst mode, as
`ckan jobs worker` runs it) sends the mail through CKAN's mailer to an
aiosmtpd server on loopback, whose messages the tests read.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from ckan.lib import jobs
from rq import SimpleWorker
from vn_sharing import REVIEW_REQUIRED, call_as, dataset_data

# Reviews come from web and API requests: the mails are written inside one
# (translation needs it).
pytestmark = [REVIEW_REQUIRED, pytest.mark.usefixtures("with_request_context")]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_port(free_port) -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port, ckan_config, monkeypatch) -> Iterator[Inbox]:
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{smtp_port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "cong-du-lieu@example.vn")
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield received
    controller.stop()


def submit_new_dataset(people, agencies, sharing_class: str) -> dict:
    """The editor creates a dataset of the owning agency and submits it."""
    dataset = call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], "ho-so", sharing_class),
    )
    submitted = call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    assert submitted["review_state"] == "submitted"
    return submitted


def run_worker() -> None:
    """Run the queued mail jobs as `ckan jobs worker` would (without forking)."""
    queue = jobs.get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_submit_mails_the_agency_admins_and_decisions_mail_the_submitter(
    people, agencies, inbox, job_queue
):
    dataset = call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], "ho-so", "inter_agency"),
    )
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    assert inbox.messages == []  # nothing is sent inside the request
    run_worker()
    [to_admin] = inbox.to(people["admin"]["email"])
    assert "ho-so" in to_admin.get_content()
    assert "chờ phê duyệt" in to_admin["Subject"] and "waiting for review" in to_admin["Subject"]
    assert inbox.to(people["editor"]["email"]) == []
    assert inbox.to(people["member"]["email"]) == []
    assert inbox.to(people["other_agency"]["email"]) == []

    call_as(
        people["admin"], "vnopendata_dataset_return", id=dataset["id"], reason="Thiếu điều khoản"
    )
    run_worker()
    [returned] = inbox.to(people["editor"]["email"])
    assert "Thiếu điều khoản" in returned.get_content()

    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    run_worker()
    approved = inbox.to(people["editor"]["email"])[-1]
    assert "đã được phê duyệt" in approved["Subject"] and "approved" in approved["Subject"]


def test_a_request_succeeds_while_the_mail_server_is_down(
    people, agencies, smtp_port, ckan_config, monkeypatch, job_queue
):
    # Nothing listens on the configured SMTP port.
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{smtp_port}")
    submit_new_dataset(people, agencies, "restricted")
    run_worker()
    # The failed send is kept for a retry, not dropped.
    assert len(job_queue.scheduled_job_registry) + len(job_queue.failed_job_registry) == 1


def test_without_a_sender_address_the_mail_job_says_which_setting_is_missing(
    people, agencies, inbox, ckan_config, monkeypatch, job_queue, caplog
):
    from ckan.lib import mailer

    from ckanext.vnopendata.ops import startup
    from ckanext.vnopendata.sharing import mail

    monkeypatch.setitem(ckan_config, "smtp.mail_from", "")
    # The `ckanext` logger does not propagate to the root, where caplog
    # listens, and loading the test settings disables existing loggers.
    monkeypatch.setattr(startup.log, "disabled", False)
    monkeypatch.setattr(startup.log, "handlers", [*startup.log.handlers, caplog.handler])
    assert startup.check_mail_settings() is False
    assert "smtp.mail_from" in caplog.text

    submit_new_dataset(people, agencies, "inter_agency")
    run_worker()
    assert inbox.messages == []
    # Kept for a retry, not dropped.
    assert len(job_queue.scheduled_job_registry) == 1
    # The job's error names the setting (CKAN's mailer would fail with an
    # AttributeError that names neither it nor the mail).
    with pytest.raises(mailer.MailerException, match="smtp.mail_from is not set"):
        mail.send([("Lãnh đạo", "lanhdao@example.vn")], "Chờ phê duyệt", "Nội dung")
    assert inbox.messages == []

    monkeypatch.setitem(ckan_config, "smtp.mail_from", "cong-du-lieu@example.vn")
    assert startup.check_mail_settings() is True
