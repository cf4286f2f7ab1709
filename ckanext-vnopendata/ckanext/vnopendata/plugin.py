"""Plugin classes: thin wiring of CKAN interfaces to the modules below."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.vnopendata import (
    cli,
    dataset_facets,
    dataset_form,
    helpers,
    licences,
    page_helpers,
    ratelimit,
    views,
)
from ckanext.vnopendata.logic import (
    access,
    access_auth,
    action,
    audit_trail,
    auth,
    codelist,
    follow,
    validators,
    visibility,
)
from ckanext.vnopendata.ops import startup as ops_startup
from ckanext.vnopendata.search import solr_document
from ckanext.vnopendata.sharing import labels


def _actions() -> dict[str, Any]:
    return {
        **{
            name: getattr(module, name)
            for module in (action, visibility, access, audit_trail, follow)
            for name in module.__all__
        },
        **codelist.get_actions(),
    }


def _helpers() -> dict[str, Any]:
    # page_helpers replaces CKAN's markdown_extract with its faster twin.
    return {
        name: getattr(module, name) for module in (helpers, page_helpers) for name in module.__all__
    }


def _auth_functions() -> dict[str, Any]:
    return {
        **{
            name: getattr(module, name) for module in (auth, access_auth) for name in module.__all__
        },
        **codelist.get_auth_functions(),
    }


@tk.blanket.config_declarations
@tk.blanket.cli(cli.get_commands)
@tk.blanket.validators(validators)
@tk.blanket.helpers(_helpers)
@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.blueprints(views.get_blueprints)
class VnOpenDataPlugin(p.SingletonPlugin):
    """The portal: Vietnamese metadata, sharing classes and their review,
    templates, translations, commands."""

    p.implements(p.IPermissionLabels)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
        tk.add_resource("assets", "vnopendata")

    # IConfigurable

    def configure(self, config_: Any) -> None:
        licences.install_register()
        ops_startup.create_asset_cache()
        # After every plugin's update_config, where the search plugin
        # registers the index class that the DCAT pieces ride along with.
        from ckanext.vnopendata.dcat import hooks

        hooks.install()

    # IMiddleware

    def make_middleware(self, app: Any, config_: Any) -> Any:
        from ckanext.vnopendata.ops import web
        from ckanext.vnopendata.views import portal as portal_views

        # After CKAN's environment cleared its registries (update_config).
        ops_startup.fill_registries()
        ops_startup.check_mail_settings()
        ratelimit.init_app(app)
        portal_views.install_home(app)
        return web.install(app)

    # ITranslation

    def i18n_directory(self) -> str:
        import os

        from ckanext.vnopendata import i18n

        return os.path.dirname(i18n.__file__)

    def i18n_locales(self) -> list[str]:
        return ["vi", "en"]

    def i18n_domain(self) -> str:
        return "ckanext-vnopendata"

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return dataset_facets.dataset_facets()

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        return dataset_facets.dataset_facets()

    # IMiddleware, IAuthenticator: operations (ops/; /health is a blueprint above)

    def identify(self) -> Any:
        from ckanext.vnopendata.ops.tokens import refuse_inactive_token

        return refuse_inactive_token()

    # IPackageController

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        dataset_facets.label_facet_items(search_results)
        for pkg_dict in search_results.get("results", []):
            licences.describe(pkg_dict)
        return search_results

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        licences.describe(pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return solr_document.before_dataset_index(pkg_dict)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        audit_trail.record_changes(context, pkg_dict["id"])
        dataset_form.forget_saved_form(pkg_dict, created=True)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        labels.relabel_activities(pkg_dict["id"])
        audit_trail.record_changes(context, pkg_dict["id"])
        dataset_form.forget_saved_form(pkg_dict, created=False)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        labels.relabel_activities(pkg_dict["id"])

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return labels.labels_of_package(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return labels.user_labels(user_obj)

    def labels_reused_in_bulk(self) -> AbstractContextManager[None]:
        """Asked by the search plugin's bulk rebuild (search/bulk.py)."""
        return labels.agency_parents_reused()


class VnOpenDataSearchPlugin(p.SingletonPlugin):
    """Search on PostgreSQL: swaps CKAN's Solr-backed search registries."""

    p.implements(p.IConfigurer, inherit=True)
    p.implements(p.IActions)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        from ckanext.vnopendata.search import swap

        # With `solr`, stock CKAN search runs against solr_url untouched.
        if swap.backend_name(config_) == "postgres":
            swap.use_postgres()
        else:
            swap.use_solr()

    # IActions

    def get_actions(self) -> dict[str, Any]:
        from ckanext.vnopendata.search import actions, swap

        # Folding autocompletes for the forms, whichever engine searches;
        # the tag look-ups read the PostgreSQL index table, so only with it
        # (under Solr, CKAN's own tag actions read the tag table).
        return actions.get_actions(tags=swap.backend_name(tk.config) == "postgres")
