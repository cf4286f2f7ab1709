"""E-mail about reviews, sent by CKAN's mailer from a background job.

The request that triggers a mail only puts a job on CKAN's queue (Redis);
the worker (`ckan jobs worker`) sends it and retries when the SMTP server
does not answer. A queue that cannot be reached never fails the request
(the decision it reports is already saved): the mail is kept in PostgreSQL
(`model.mail`) and put on the queue when Redis answers again. Kept mails
are released by the next mail queued, by the web server about every
`RELEASE_INTERVAL` seconds, and by `ckan vnopendata mail release`. A mail
is delivered at least once: one released just before its release could be
recorded would be queued again.

Mails are written in Vietnamese, then English, in one message: the
recipient's language is not known to the portal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask_babel
import sqlalchemy as sa
from ckan import model
from ckan.lib import mailer
from rq import Retry

from ckanext.vnopendata.model.mail import mail_outbox_table
from ckanext.vnopendata.sharing import review

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
# Seconds between attempts while the SMTP server is down.
RETRY_INTERVALS = [30, 120, 600, 1800, 3600]
# Seconds between two looks at the kept mails from one web process.
RELEASE_INTERVAL = 30.0
# Kept mails put on the queue in one transaction.
RELEASE_BATCH = 100


MAIL_FROM_MISSING = (
    "smtp.mail_from is not set in the CKAN configuration: review and access-request "
    "mails cannot be sent (each stays on the queue and is retried). Set it to the "
    "portal's sender address."
)


def mail_from_set() -> bool:
    return bool(tk.config.get("smtp.mail_from"))


def send(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    """The job: one message to each recipient (name, address)."""
    if not mail_from_set():
        # CKAN's mailer would fail on it with an AttributeError that names
        # neither the setting nor the mail.
        raise mailer.MailerException(MAIL_FROM_MISSING)
    for name, address in recipients:
        mailer.mail_recipient(name, address, subject, body)


def _put_on_queue(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    tk.enqueue_job(
        send,
        [[list(r) for r in recipients], subject, body],
        title=subject,
        rq_kwargs={"retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)},
    )


def enqueue(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    """Queue a mail; keep it in PostgreSQL when the queue cannot be reached."""
    if not recipients:
        return
    try:
        _put_on_queue(recipients, subject, body)
    except Exception:  # the queue is down: the decision stands, the mail waits
        _keep(recipients, subject, body)
        return
    # The queue answers again: mails kept while it was down go first.
    _release_quietly()


def _keep(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    try:
        # A transaction of its own: the caller's may already be committed,
        # and must not be committed here when it is not.
        with model.meta.engine.begin() as connection:
            connection.execute(
                mail_outbox_table.insert().values(
                    recipients=[list(r) for r in recipients], subject=subject, body=body
                )
            )
    except Exception:
        log.exception(
            "Could not queue nor keep the mail %r to %s", subject, [r[1] for r in recipients]
        )
        return
    log.warning(
        "The job queue cannot be reached: the mail %r to %s is kept and will be queued "
        "when it answers",
        subject,
        [r[1] for r in recipients],
    )


def release_kept(limit: int = RELEASE_BATCH) -> int:
    """Put kept mails on the job queue, oldest first; return how many.

    Stops at the first that cannot be queued (the queue is still down).
    Rows another process is releasing are skipped, not waited for."""
    released = 0
    with model.meta.engine.begin() as connection:
        rows = connection.execute(
            sa.select(mail_outbox_table)
            .order_by(mail_outbox_table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            try:
                _put_on_queue(row.recipients, row.subject, row.body)
            except Exception:
                log.warning("The job queue still cannot be reached: kept mails wait")
                break
            connection.execute(mail_outbox_table.delete().where(mail_outbox_table.c.id == row.id))
            released += 1
    if released:
        log.info("Queued %d kept mail(s)", released)
    return released


_next_release = 0.0
_release_lock = threading.Lock()


def release_kept_now_and_then() -> None:
    """From the web server after a response: at most once per
    `RELEASE_INTERVAL` seconds per process, release the kept mails. Never
    raises: it runs after the response was sent."""
    global _next_release
    now = time.monotonic()
    with _release_lock:
        if now < _next_release:
            return
        _next_release = now + RELEASE_INTERVAL
    _release_quietly()


def _release_quietly() -> None:
    # After a decision was saved, or after a response was sent: a database
    # that does not answer now is logged, and the next look tries again.
    try:
        release_kept()
    except Exception:
        log.exception("Could not release the kept mails")


def _in_both_languages(render: Callable[[], str], separator: str = "\n\n") -> str:
    texts = []
    for lang in LANGUAGES:
        try:
            with flask_babel.force_locale(lang):
                texts.append(render())
        except RuntimeError:  # outside the app (CLI): the default language only
            return render()
    return texts[0] if texts[0] == texts[1] else separator.join(texts)


def recipients_of(ids: list[str]) -> list[tuple[str, str]]:
    """(name, e-mail) of the active users among `ids` who have an e-mail."""
    users = model.Session.query(model.User).filter(
        model.User.id.in_(ids), model.User.state == "active"
    )
    return [(user.display_name, user.email) for user in users if user.email]


def agency_admins(agency_id: str) -> list[tuple[str, str]]:
    """(name, e-mail) of the agency's admins: its reviewers."""
    admins = (
        model.Session.query(model.Member.table_id)
        .filter(
            model.Member.group_id == agency_id,
            model.Member.table_name == "user",
            model.Member.capacity == "admin",
            model.Member.state == "active",
        )
        .all()
    )
    return recipients_of([row[0] for row in admins])


def _dataset_url(pkg_dict: dict[str, Any]) -> str:
    return "{}/dataset/{}".format(tk.config.get("ckan.site_url").rstrip("/"), pkg_dict["name"])


def notify_transition(
    action: str, pkg_dict: dict[str, Any], actor: str, reason: str | None
) -> None:
    title = pkg_dict.get("title") or pkg_dict["name"]
    url = _dataset_url(pkg_dict)
    actor_user = model.User.get(actor)
    actor_name = actor_user.display_name if actor_user else actor

    if action == review.SUBMIT and pkg_dict.get("review_state") == review.SUBMITTED:
        recipients = agency_admins(pkg_dict["owner_org"])
        subject = _in_both_languages(lambda: tk._("Dataset waiting for review: {title}"), " / ")
        body = _in_both_languages(
            lambda: tk._('{actor} submitted the dataset "{title}" for review.\nReview it: {url}')
        )
    elif action in (review.APPROVE, review.RETURN):
        submitter = pkg_dict.get("review_submitted_by")
        recipients = recipients_of([submitter]) if submitter else []
        if action == review.APPROVE:
            subject = _in_both_languages(lambda: tk._("Dataset approved: {title}"), " / ")
            body = _in_both_languages(
                lambda: tk._('{actor} approved the dataset "{title}".\n{url}')
            )
        else:
            subject = _in_both_languages(lambda: tk._("Dataset returned: {title}"), " / ")
            body = _in_both_languages(
                lambda: tk._(
                    '{actor} returned the dataset "{title}" for changes.\nReason: {reason}\n{url}'
                )
            )
    else:
        return
    values = {"title": title, "url": url, "actor": actor_name, "reason": reason or ""}
    enqueue(recipients, subject.format(**values), body.format(**values))
