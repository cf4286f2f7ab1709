"""Review before publication: the states, who sees what, and the rules.

A dataset moves ``draft`` -> ``submitted`` -> ``published``, or from
``submitted`` back to ``returned`` with a written reason; a returned dataset
is fixed and submitted again. Until it is first published only its own agency
sees it, whatever its class. Publishing applies the class.

A published dataset stays published while a change that makes it *more* open
waits for approval: the change is kept as ``pending_sharing_class`` /
``pending_metadata_visible``, the state reads ``submitted``, and everyone
keeps seeing the published version. Approval applies the change; return
discards it and the dataset is ``published`` again. A change that makes it
*less* open applies at once.

This module holds the facts; the validator (`logic/validators.py`) applies
them when a dataset is written, the actions (`logic/action.py`) drive the
transitions, and `sharing/labels.py` turns them into permission labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vnopendata.sharing import classes

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
PUBLISHED = "published"
STATES: tuple[str, ...] = (DRAFT, SUBMITTED, RETURNED, PUBLISHED)

# Dataset fields that only the workflow writes. A client may send them back
# unchanged (a package_show dict round trip); any other value is refused.
WORKFLOW_FIELDS: tuple[str, ...] = (
    "review_state",
    "review_published_at",
    "review_submitted_by",
    "review_submitted_at",
    "review_decided_by",
    "review_decided_at",
    "review_return_reason",
    "pending_sharing_class",
    "pending_metadata_visible",
)

# Transitions the actions perform, with the states each one starts from.
SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"


def review_required() -> bool:
    return tk.asbool(tk.config.get("ckanext.vnopendata.review.required"))


def parent_agency_reads() -> bool:
    return tk.asbool(tk.config.get("ckanext.vnopendata.sharing.parent_agency_reads"))


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def is_live(review_state: str | None, published_at: str | None) -> bool:
    """Whether the dataset's class applies: it is published, or it was
    published and a change to it waits for review."""
    if review_state == PUBLISHED:
        return True
    return review_state == SUBMITTED and bool(published_at)


# Who sees what, per audience: 0 nothing, 1 metadata only, 2 metadata and data.
NOTHING, METADATA, FULL = 0, 1, 2


@dataclass(frozen=True)
class Reach:
    """How far a (class, metadata-visible) pair reaches beyond the agency."""

    public: int  # anonymous visitors and users of no agency
    agencies: int  # members of any other agency

    @classmethod
    def of(cls, sharing_class: str | None, metadata_visible: bool) -> Reach:
        if sharing_class == classes.OPEN.key:
            return cls(public=FULL, agencies=FULL)
        if sharing_class == classes.INTER_AGENCY.key:
            return cls(public=METADATA if metadata_visible else NOTHING, agencies=FULL)
        # restricted, and anything unknown: fail closed.
        return cls(public=NOTHING, agencies=METADATA if metadata_visible else NOTHING)

    def opens_beyond(self, other: Reach) -> bool:
        """Whether this reach gives any audience more than `other` does."""
        return self.public > other.public or self.agencies > other.agencies


def more_open(
    sharing_class: str | None,
    metadata_visible: bool,
    than_class: str | None,
    than_metadata_visible: bool,
) -> bool:
    return Reach.of(sharing_class, metadata_visible).opens_beyond(
        Reach.of(than_class, than_metadata_visible)
    )


def state_label(state: str | None) -> str:
    labels = {
        DRAFT: tk._("Draft"),
        SUBMITTED: tk._("Waiting for review"),
        RETURNED: tk._("Returned for changes"),
        PUBLISHED: tk._("Published"),
    }
    return labels.get(state or "", state or "")
