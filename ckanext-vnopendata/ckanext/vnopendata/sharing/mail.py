"""E-mail about reviews, sent by CKAN's mailer from a background job.

The request that triggers a mail only puts a job on CKAN's queue (Redis);
the worker (`ckan jobs worker`) sends it and retries when the SMTP server
does not answer. A queue that cannot be reached is logged and never fails
the request: the decision it reports is already saved.

Mails are written in Vietnamese, then English, in one message: the
recipient's language is not known to the portal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask_babel
from ckan import model
from ckan.lib import mailer
from rq import Retry

from ckanext.vnopendata.sharing import review

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
# Seconds between attempts while the SMTP server is down.
RETRY_INTERVALS = [30, 120, 600, 1800, 3600]


def send(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    """The job: one message to each recipient (name, address)."""
    for name, address in recipients:
        mailer.mail_recipient(name, address, subject, body)


def enqueue(recipients: list[tuple[str, str]], subject: str, body: str) -> None:
    if not recipients:
        return
    try:
        tk.enqueue_job(
            send,
            [recipients, subject, body],
            title=subject,
            rq_kwargs={"retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)},
        )
    except Exception:  # the queue is down: the decision stands, the mail is lost
        log.exception("Could not queue the mail %r to %s", subject, [r[1] for r in recipients])


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
