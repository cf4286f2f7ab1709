"""Plugin classes: thin wiring of CKAN interfaces to the modules below."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.vnopendata import cli


@tk.blanket.config_declarations
@tk.blanket.cli(cli.get_commands)
class VnOpenDataPlugin(p.SingletonPlugin):
    """The portal: Vietnamese metadata, templates, translations, commands."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
        tk.add_resource("assets", "vnopendata")

    # ITranslation

    def i18n_directory(self) -> str:
        import os

        from ckanext.vnopendata import i18n

        return os.path.dirname(i18n.__file__)

    def i18n_locales(self) -> list[str]:
        return ["vi", "en"]

    def i18n_domain(self) -> str:
        return "ckanext-vnopendata"


class VnOpenDataSearchPlugin(p.SingletonPlugin):
    """Search on PostgreSQL: swaps CKAN's Solr-backed search registries."""

    p.implements(p.IConfigurer, inherit=True)
