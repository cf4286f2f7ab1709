"""Plugin classes: thin wiring of CKAN interfaces to the modules below."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.vnopendata import cli, dataset_form, facets, helpers, indexing, licences
from ckanext.vnopendata.logic import validators, visibility


@tk.blanket.config_declarations
@tk.blanket.cli(cli.get_commands)
@tk.blanket.validators(validators)
@tk.blanket.helpers(helpers)
@tk.blanket.actions(visibility)
class VnOpenDataPlugin(p.SingletonPlugin):
    """The portal: Vietnamese metadata, templates, translations, commands."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IBlueprint)

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

    # IBlueprint

    def get_blueprint(self) -> list[Any]:
        from ckanext.vnopendata.views import portal as portal_views

        return portal_views.get_blueprints()

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
        dataset_form.forget_saved_form(pkg_dict, created=False)


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
