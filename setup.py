"""ckanext-vnopendata: an open-data catalogue for Vietnamese state agencies."""

from setuptools import find_namespace_packages, setup

PACKAGE_ROOT = "ckanext-vnopendata"

setup(
    name="ckanext-vnopendata",
    version="0.1.0",
    description=(
        "CKAN extension for Vietnamese state agencies: government metadata, "
        "sharing classes under the Law on Data 2024, DCAT export and "
        "PostgreSQL search"
    ),
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    # The schemas and message catalogues live at the top of the repository
    # (they are edited by people who never open the Python package) but ship
    # inside it, so `ckanext.vnopendata.schemas:dataset.yaml` resolves both in
    # a checkout (editable install) and in an installed wheel.
    package_dir={
        "": PACKAGE_ROOT,
        "ckanext.vnopendata.schemas": "schemas",
        "ckanext.vnopendata.i18n": "i18n",
    },
    packages=find_namespace_packages(PACKAGE_ROOT, include=["ckanext.vnopendata*"])
    + ["ckanext.vnopendata.schemas", "ckanext.vnopendata.i18n"],
    package_data={
        "ckanext.vnopendata": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "migration/vnopendata/*.ini",
            "migration/vnopendata/*.mako",
            "migration/vnopendata/README",
            "demo/*",
        ],
        "ckanext.vnopendata.schemas": ["*.yaml", "*.json", "codelists/*"],
        "ckanext.vnopendata.i18n": ["*.pot", "*/LC_MESSAGES/*"],
    },
    entry_points={
        "ckan.plugins": [
            "vnopendata = ckanext.vnopendata.plugin:VnOpenDataPlugin",
            "vnopendata_search = ckanext.vnopendata.plugin:VnOpenDataSearchPlugin",
        ],
        # The VN DCAT-AP 3 profile, by name in `ckanext.dcat.rdf.profiles`.
        "ckan.rdf.profiles": [
            "vn_dcat_ap = ckanext.vnopendata.dcat.profile:VnDcatApProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
