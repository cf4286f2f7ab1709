"""What users are told about requests and grants: state names, refusal
explanations and the e-mails (sent through `sharing.mail`).

Also the daily notices (`ckan vnopendata access notify`, run from cron):
overdue requests to the agency's admins, once per request, and expiry
warnings to grant holders, once per grant.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import ckan.plugins.toolkit as tk
import flask_babel
import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.model.access import AccessGrant, AccessRequest
from ckanext.vnopendata.sharing import audit, classes, deadlines, mail, requests


def state_label(state: str) -> str:
    labels = {
        requests.PENDING: tk._("pending"),
        requests.APPROVED: tk._("approved"),
        requests.REFUSED: tk._("refused"),
        requests.WITHDRAWN: tk._("withdrawn"),
        "active": tk._("active"),
        "expired": tk._("expired"),
        "revoked": tk._("revoked"),
    }
    return labels.get(state, state)


def requester_type_label(requester_type: str) -> str:
    labels = {
        requests.STATE_BODY: tk._("State body"),
        requests.ORGANISATION: tk._("Organisation or business"),
        requests.INDIVIDUAL: tk._("Individual"),
        requests.DATA_SUBJECT: tk._("Data subject"),
    }
    return labels.get(requester_type, requester_type)


def who_may_ask(package: model.Package, user_id: str) -> str:
    """Why this user cannot ask for this dataset (which they can see)."""
    if not requests.is_published(package):
        return tk._("This dataset is not published yet")
    if package.owner_org in requests.agency_ids(user_id):
        return tk._("Your agency owns this dataset: you already have access")
    if requests.sharing_class(package) == classes.RESTRICTED.key:
        return tk._("Restricted data can be requested only by members of another state agency")
    if requests.sharing_class(package) == classes.INTER_AGENCY.key:
        return tk._(
            "Inter-agency data is open to every agency's members: "
            "only users of no agency need to request it"
        )
    return tk._("Open data needs no request: everyone can download it")


def _bilingual(compose: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """Subject and body in Vietnamese, then English (`compose` renders one
    language through `tk._`)."""
    subjects, bodies = [], []
    for lang in mail.LANGUAGES:
        try:
            with flask_babel.force_locale(lang):
                subject, body = compose()
        except RuntimeError:  # outside the app: the default language only
            return compose()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(dict.fromkeys(subjects)), "\n\n---\n\n".join(dict.fromkeys(bodies))


def _admins(org_id: str) -> list[tuple[str, str]]:
    return mail.agency_admins(org_id)


def _site_url(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path


def _request_url(request: AccessRequest) -> str:
    return _site_url(f"/access/request/{request.id}")


def _title(package_id: str) -> str:
    package = model.Package.get(package_id)
    return package.title if package else package_id


def request_filed(request: AccessRequest, package: model.Package) -> None:
    def compose() -> tuple[str, str]:
        subject = tk._("New access request for {title}").format(title=package.title)
        body = tk._(
            "{name} asked for access to {title}.\n"
            "Purpose: {purpose}\n"
            "Answer by: {due}\n\n"
            "Decide at {url}"
        ).format(
            name=request.requester_name,
            title=package.title,
            purpose=request.purpose,
            due=request.due.isoformat(),
            url=_request_url(request),
        )
        return subject, body

    mail.enqueue(_admins(request.owner_org), *_bilingual(compose))


def request_approved(request: AccessRequest, grant: AccessGrant) -> None:
    title = _title(request.package_id)

    def compose() -> tuple[str, str]:
        subject = tk._("Access granted: {title}").format(title=title)
        body = tk._(
            "Your request for {title} was approved.\n"
            "You have access until {expires} (inclusive).\n"
            "Conditions: {conditions}\n\n"
            "Details: {url}"
        ).format(
            title=title,
            expires=grant.expires.isoformat(),
            conditions=grant.conditions or "-",
            url=_request_url(request),
        )
        return subject, body

    _mail_user(request.user_id, *_bilingual(compose))


def request_refused(request: AccessRequest) -> None:
    title = _title(request.package_id)

    def compose() -> tuple[str, str]:
        subject = tk._("Access request refused: {title}").format(title=title)
        body = tk._(
            "Your request for {title} was refused.\n"
            "Reason: {reason}\n"
            "Legal basis: {number}, {article}\n"
            "Items refused: {items}\n"
            "Where to complain: {complaint}\n\n"
            "The written decision: {url}"
        ).format(
            title=title,
            reason=request.refusal_reason,
            number=request.legal_basis_number,
            article=request.legal_basis_article,
            items="; ".join(request.refused_items or []),
            complaint=request.complaint_route or "-",
            url=_request_url(request),
        )
        return subject, body

    _mail_user(request.user_id, *_bilingual(compose))


def grant_revoked(grant: AccessGrant) -> None:
    title = _title(grant.package_id)

    def compose() -> tuple[str, str]:
        subject = tk._("Access revoked: {title}").format(title=title)
        body = tk._("Your access to {title} was revoked.\nReason: {reason}").format(
            title=title, reason=grant.revoke_reason
        )
        return subject, body

    _mail_user(grant.user_id, *_bilingual(compose))


def _mail_user(user_id: str, subject: str, body: str) -> None:
    mail.enqueue(mail.recipients_of([user_id]), subject, body)


def send_overdue_notices(now: datetime.datetime | None = None) -> int:
    """E-mail the admins of each agency about each pending request past its
    deadline, once per request; return how many requests were notified."""
    now = now or datetime.datetime.utcnow()
    today = deadlines.vietnam_today(now)
    overdue = (
        model.Session.execute(
            sa.select(AccessRequest)
            .where(
                AccessRequest.state == requests.PENDING,
                AccessRequest.due < today,
                AccessRequest.overdue_notified.is_(None),
            )
            .order_by(AccessRequest.created)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    count = 0
    for request in overdue:
        title = _title(request.package_id)

        def compose(request: AccessRequest = request, title: str = title) -> tuple[str, str]:
            subject = tk._("Overdue access request: {title}").format(title=title)
            body = tk._(
                "The request of {name} for {title} was due on {due} and is still unanswered.\n\n"
                "Decide at {url}"
            ).format(
                name=request.requester_name,
                title=title,
                due=request.due.isoformat(),
                url=_request_url(request),
            )
            return subject, body

        admins = _admins(request.owner_org)
        mail.enqueue(admins, *_bilingual(compose))
        request.overdue_notified = now
        audit.record(
            "request_overdue",
            user_id=None,
            package_id=request.package_id,
            owner_org=request.owner_org,
            object_id=request.id,
            detail={
                "due": request.due.isoformat(),
                "notified": [address for _name, address in admins],
            },
        )
        count += 1
    model.repo.commit()
    return count


def send_expiry_warnings(now: datetime.datetime | None = None) -> int:
    """E-mail each holder whose live grant expires within the warning period
    (`ckanext.vnopendata.grants.warning_days`), once per grant."""
    now = now or datetime.datetime.utcnow()
    horizon = now + datetime.timedelta(
        days=int(tk.config.get("ckanext.vnopendata.grants.warning_days"))
    )
    expiring = (
        model.Session.execute(
            sa.select(AccessGrant)
            .where(
                AccessGrant.revoked.is_(None),
                AccessGrant.expires_at > now,
                AccessGrant.expires_at <= horizon,
                AccessGrant.expiry_warned.is_(None),
            )
            .order_by(AccessGrant.expires_at)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    count = 0
    for grant in expiring:
        title = _title(grant.package_id)

        def compose(grant: AccessGrant = grant, title: str = title) -> tuple[str, str]:
            subject = tk._("Your access to {title} ends on {expires}").format(
                title=title, expires=grant.expires.isoformat()
            )
            body = tk._(
                "Your access to {title} ends after {expires}.\n"
                "To keep access, file a new request: {url}"
            ).format(
                title=title,
                expires=grant.expires.isoformat(),
                url=_site_url(f"/dataset/{grant.package_id}/request-access"),
            )
            return subject, body

        _mail_user(grant.user_id, *_bilingual(compose))
        grant.expiry_warned = now
        audit.record(
            "grant_expiry_warning",
            user_id=None,
            package_id=grant.package_id,
            owner_org=grant.owner_org,
            object_id=grant.id,
            detail={"holder_id": grant.user_id, "expires": grant.expires.isoformat()},
        )
        count += 1
    model.repo.commit()
    return count
