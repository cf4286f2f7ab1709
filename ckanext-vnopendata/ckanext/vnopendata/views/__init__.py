"""Flask blueprints of the portal."""

from __future__ import annotations

from flask import Blueprint


def get_blueprints() -> list[Blueprint]:
    from ckanext.vnopendata.ops import health
    from ckanext.vnopendata.views import access, portal, review
    from ckanext.vnopendata.views.dcat import dcat_feeds

    return [review.bp, access.blueprint, dcat_feeds, health.health, *portal.get_blueprints()]
