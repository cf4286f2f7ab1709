"""Pages of the review workflow: the queue, and the buttons on a dataset."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.vnopendata.sharing import review

bp = Blueprint("vnopendata_review", __name__)

_ACTIONS = {
    review.SUBMIT: "vnopendata_dataset_submit",
    review.APPROVE: "vnopendata_dataset_approve",
    review.RETURN: "vnopendata_dataset_return",
}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


@bp.route("/dataset/<id>/review/<transition>", methods=["POST"])
def transition(id: str, transition: str) -> Any:
    action = _ACTIONS.get(transition)
    if action is None:
        return tk.abort(404, tk._("Page not found"))
    data: dict[str, Any] = {"id": id}
    if transition == review.RETURN:
        data["reason"] = tk.request.form.get("reason", "")
    try:
        result = tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Unauthorized"))
    except tk.ValidationError as error:
        messages = [
            message
            for field_errors in error.error_dict.values()
            for message in (field_errors if isinstance(field_errors, list) else [field_errors])
        ]
        tk.h.flash_error(" ".join(str(m) for m in messages))
        return tk.redirect_to("dataset.read", id=id)
    done = {
        review.SUBMIT: tk._("The dataset was submitted for review"),
        review.APPROVE: tk._("The dataset was approved"),
        review.RETURN: tk._("The dataset was returned with your reason"),
    }[transition]
    if result.get("review_state") == review.PUBLISHED and transition == review.SUBMIT:
        done = tk._("The dataset was published")
    tk.h.flash_success(done)
    return tk.redirect_to("dataset.read", id=result["name"])


@bp.route("/dashboard/review")
def queue() -> Any:
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("You must be logged in to see the review queue"))
    agency = tk.request.args.get("agency") or None
    data = {"organization_id": agency} if agency else {}
    result = tk.get_action("vnopendata_review_queue")(_context(), data)
    # The dashboard layout it extends shows the user's own header.
    user_dict = tk.get_action("user_show")(_context(), {"id": tk.current_user.id})
    return tk.render(
        "vnopendata/review_queue.html",
        {"queue": result, "agency": agency, "user_dict": user_dict},
    )
