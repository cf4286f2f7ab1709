"""Plugin classes: thin wiring of CKAN interfaces to the modules below."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.vnopendata import cli, dataset_form, facets, helpers, indexing, licences
from ckanext.vnopendata.logic import action, auth, validators, visibility
from ckanext.vnopendata.sharing import labels
from ckanext.vnopendata.views import portal as portal_views
from ckanext.vnopendata.views import review as review_views


def _actions() -> dict[str, Any]:
    return {
        name: getattr(module, name) for module in (action, visibility) for name in module.__all__
    }


@tk.blanket.config_declarations
@tk.blanket.cli(cli.get_commands)
@tk.blanket.validators(validators)
@tk.blanket.helpers(helpers)
@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(auth)
@tk.blanket.blueprints(lambda: [review_views.bp, *portal_views.get_blueprints()])
class VnOpenDataPlugin(p.SingletonPlugin):
    """The portal: Vietnamese metadata, sharing classes and their review,
    templates, translations, commands."""

    p.implements(p.IPermissionLabels)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
        tk.add_resource("assets", "vnopendata")

    # IConfigurable

    def configure(self, config_: Any) -> None:
        licences.install_register()

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
        return facets.dataset_facets()

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        return facets.dataset_facets()

    # IPackageController

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        facets.label_facet_items(search_results)
        for pkg_dict in search_results.get("results", []):
            licences.describe(pkg_dict)
        return search_results

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        licences.describe(pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.before_dataset_index(pkg_dict)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        dataset_form.forget_saved_form(pkg_dict, created=True)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        labels.relabel_activities(pkg_dict["id"])
        dataset_form.forget_saved_form(pkg_dict, created=False)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        labels.relabel_activities(pkg_dict["id"])

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return labels.labels_of_package(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return labels.user_labels(user_obj)


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

    # IActions

    def get_actions(self) -> dict[str, Any]:
        from ckanext.vnopendata.search import autocomplete

        # Folding autocompletes for the forms, whichever engine searches.
        return autocomplete.get_actions()
