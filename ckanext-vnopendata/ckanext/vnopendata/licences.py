"""CKAN's licence register, served from the project's licence code list.

`schemas/codelists/licences.yaml` is the one list of licences: the form
offers it, the validator checks `license_id` against it, and CKAN's
register (behind `license_title`, `license_url`, `isopen`, the licence
facet and `license_list`) reads it through this module.

CKAN's `licenses_group_url` would load a JSON file with one fixed title per
licence; CKAN's own default licences instead read their title through a
property on each access, so that it follows the page language. The code-list
licences do the same.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckan.model.license import DefaultLicense, LicenseRegister

from ckanext.vnopendata import codelists, helpers

CODELIST = "licences"

# CKAN counts a licence as open when either conformance is "approved".
_APPROVED = "approved"
_NOT_REVIEWED = "not reviewed"


class CodeListLicence(DefaultLicense):
    """One item of the licence code list, as CKAN's licence objects expect."""

    def __init__(self, item: codelists.CodeItem) -> None:
        super().__init__()
        self.item = item
        self.id = item.code
        self.url = item.extra.get("url", "")
        self.od_conformance = _APPROVED if item.extra.get("open") else _NOT_REVIEWED
        self.domain_data = True

    @property
    def title(self) -> str:
        return self.item.text(helpers.vnopendata_lang())


class CodeListLicenceRegister(LicenseRegister):
    """The register of the code list's licences, in the list's order."""

    def __init__(self) -> None:
        self._create_license_list([CodeListLicence(item) for item in codelists.get(CODELIST).items])


def install_register() -> None:
    # `Package.get_license_register()` builds the register once and keeps it
    # on the class; every core reader (dictize, isopen, facets, license_list)
    # goes through it.
    model.Package._license_register = CodeListLicenceRegister()


def describe(pkg_dict: dict[str, Any]) -> None:
    """Set the licence fields of a dataset dict from the register.

    `package_show` and `package_search` return the dict stored in the search
    index when it is current, so its licence title is in the language of the
    request that indexed it; this puts it in the current request's language,
    the way `package_dictize` words these fields.
    """
    licence_id = pkg_dict.get("license_id")
    if not licence_id:
        return
    licence = model.Package.get_license_register().get(licence_id)
    if licence is None:
        pkg_dict["license_title"] = licence_id
        pkg_dict.pop("license_url", None)
        pkg_dict["isopen"] = False
        return
    pkg_dict["license_title"] = licence.title
    if licence.url:
        pkg_dict["license_url"] = licence.url
    else:
        pkg_dict.pop("license_url", None)
    pkg_dict["isopen"] = licence.isopen()
