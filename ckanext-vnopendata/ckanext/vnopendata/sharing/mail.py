"""E-mail to users and agency admins, sent by a background job.

Messages are composed where the event happens (inside the request, where
the message catalogues are at hand), in Vietnamese and then English, and
handed to CKAN's job queue (Redis); the worker sends them with CKAN's
mailer (`smtp.*` settings). A slow or absent SMTP server never slows or
fails the action that triggered the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer
from flask_babel import force_locale

log = logging.getLogger(__name__)

# Vietnamese first, English second: the portal's languages in their order.
LANGUAGES = ("vi", "en")


def bilingual(compose: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """Call `compose` (returning subject and body through `tk._`) once per
    language and join the results: "vi subject / en subject", vi body, en body."""
    subjects, bodies = [], []
    for language in LANGUAGES:
        with force_locale(language):
            subject, body = compose()
        subjects.append(subject)
        bodies.append(body)
    separator = "\n\n" + "-" * 40 + "\n\n"
    return " / ".join(dict.fromkeys(subjects)), separator.join(bodies)


def send(recipient_name: str, recipient_email: str, subject: str, body: str) -> None:
    """The job: one message through CKAN's mailer."""
    mailer.mail_recipient(recipient_name, recipient_email, subject, body)


def send_later(user: model.User, subject: str, body: str) -> bool:
    """Queue one message to a user; False when the user has no address."""
    if not user.email:
        log.warning("No e-mail address for user %s: message %r not sent", user.name, subject)
        return False
    tk.enqueue_job(
        send,
        [user.display_name, user.email, subject, body],
        title=f"vnopendata mail: {subject}",
    )
    return True


def agency_admins(org_id: str) -> list[model.User]:
    return list(
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == org_id,
            model.Member.table_name == "user",
            model.Member.capacity == "admin",
            model.Member.state == "active",
            model.User.state == "active",
        )
    )
