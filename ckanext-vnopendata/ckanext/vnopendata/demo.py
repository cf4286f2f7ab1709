"""Demo agencies and datasets, loaded once by `ckan vnopendata demo`.

The data lives in `demo/*.yaml`; this module turns each entry into a full
record of the metadata schema (every field filled, defaults taken from the
owning agency and the sharing class) and creates what is not there yet, so
a second run creates nothing and returns quickly.
"""

from __future__ import annotations

import datetime
from importlib import resources
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import click
import yaml

from ckanext.vnopendata.sharing import classes
from ckanext.vnopendata.slug import slugify

# Open data is reviewed at least every 6 months (practice from the old
# Decree 47/2020 Art 20).
REVIEW_INTERVAL = datetime.timedelta(days=182)
LAW_ON_DATA = "60/2024/QH15"
LAW_ON_DATA_URL = "https://thuviennhadat.vn/vbpl/luat-du-lieu-2024-so-60-2024-qh15-621343.html"
# Article of the Law on Data behind each class: Art 21 (open data), Art 17
# (sharing; (3) for private-use data).
LEGAL_ARTICLE = {
    classes.OPEN.key: "Điều 21",
    classes.INTER_AGENCY.key: "Điều 17",
    classes.RESTRICTED.key: "Điều 17 khoản 3",
}


def _load(filename: str) -> Any:
    path = resources.files("ckanext.vnopendata").joinpath("demo", filename)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def agency_records() -> list[dict[str, Any]]:
    records = []
    for entry in _load("agencies.yaml"):
        domain = entry["domain"]
        records.append(
            {
                "name": slugify(entry["title"]["vi"]),
                "title_translated": entry["title"],
                "description_translated": entry["description"],
                "agency_code": entry["agency_code"],
                "parent_agency": entry.get("parent"),
                "agency_type": entry["agency_type"],
                "agency_level": entry["agency_level"],
                "province": entry.get("province"),
                "focal_officer_name": entry["focal_officer"]["name"],
                "focal_officer_position": entry["focal_officer"]["position"],
                "focal_officer_email": f"dulieu@{domain}",
                "focal_officer_phone": entry["focal_officer"]["phone"],
                "dpo_name": entry["dpo"]["name"],
                "dpo_email": f"baovedulieu@{domain}",
                "platform_endpoint": entry["platform_endpoint"],
            }
        )
    return records


def dataset_records() -> list[dict[str, Any]]:
    agencies = {slugify(entry["title"]["vi"]): entry for entry in _load("agencies.yaml")}
    kinds = _load("resource_kinds.yaml")
    return [
        _dataset_record(entry, agencies[entry["owner"]], kinds) for entry in _load("datasets.yaml")
    ]


def _dataset_record(
    entry: dict[str, Any], agency: dict[str, Any], kinds: dict[str, Any]
) -> dict[str, Any]:
    name = slugify(entry["title"]["vi"])
    sharing_class = entry.get("sharing_class", classes.OPEN.key)
    is_open = sharing_class == classes.OPEN.key
    issued = datetime.date.fromisoformat(entry["issued"])
    modified = datetime.date.fromisoformat(entry.get("modified", entry["issued"]))
    temporal = entry.get("temporal") or [None, None]
    has_api = "api" in entry["resources"]
    default_methods = (["download", "query"] if has_api else ["download"]) if is_open else ["query"]
    return {
        "name": name,
        "title_translated": entry["title"],
        "notes_translated": entry["notes"],
        "tag_string": ",".join(entry.get("tags", [])),
        "language": ["vi", "en"],
        "owner_org": entry["owner"],
        "custodian_org": entry.get("custodian", entry["owner"]),
        "contact_name": agency["focal_officer"]["name"],
        "contact_position": agency["focal_officer"]["position"],
        "contact_email": f"dulieu@{agency['domain']}",
        "contact_phone": agency["focal_officer"]["phone"],
        "sharing_class": sharing_class,
        "importance": entry.get("importance", "other"),
        "importance_reference": entry.get("importance_reference"),
        "personal_data": entry.get("personal_data", "none"),
        "data_layer": entry.get("data_layer"),
        "source_database": entry.get("source_database", "sector"),
        "legal_basis_number": LAW_ON_DATA,
        "legal_basis_article": LEGAL_ARTICLE[sharing_class],
        "legal_basis_url": LAW_ON_DATA_URL,
        "sector": entry["sector"],
        "provinces": entry.get("provinces") or [],
        "commune_code": entry.get("commune_code"),
        "temporal_start": temporal[0],
        "temporal_end": temporal[1],
        "frequency": entry.get("frequency"),
        "issued": issued.isoformat(),
        "modified": modified.isoformat(),
        "next_review_date": (modified + REVIEW_INTERVAL).isoformat(),
        "license_id": entry.get("license", "CC-BY-4.0") if is_open else "vn-restricted-terms",
        "exploitation_regulation_number": agency["exploitation_regulation"]["number"],
        "exploitation_regulation_url": agency["exploitation_regulation"]["url"],
        "sharing_method": entry.get("sharing_method", default_methods),
        "fee": "free",
        "catalogue_decision_number": agency["catalogue_decision"]["number"],
        "catalogue_decision_date": agency["catalogue_decision"]["date"],
        "metadata_visible": entry.get("metadata_visible", False),
        "resources": [_resource(kinds[kind], name, agency, is_open) for kind in entry["resources"]],
    }


def _resource(
    kind: dict[str, Any], name: str, agency: dict[str, Any], is_open: bool
) -> dict[str, Any]:
    url = kind["url"].format(name=name, domain=agency["domain"])
    resource = {
        "name": kind["name"],
        "description": kind["description"],
        "format": kind["format"],
        "url": url,
    }
    if kind["format"] != "API":
        return {**resource, "download_url": url, "platform": "direct", "auth_method": "none"}
    provincial = agency["agency_level"] != "central"
    return {
        **resource,
        "api_endpoint": url,
        "api_spec_url": f"{url}/openapi.json",
        # Open APIs go through the agency's own platform; everything else
        # through NDOP, mandatory for sharing within the state (Decree 278).
        "platform": ("lgsp" if provincial else "ndxp") if is_open else "ndop",
        "service_id": name.replace("-", "_").upper()[:40],
        "auth_method": "api_key" if is_open else "ndop_account",
    }


def _existing(names: list[str], column: Any, *criteria: Any) -> set[str]:
    query = model.Session.query(column).filter(column.in_(names), *criteria)
    return {row[0] for row in query}


def load(echo: Any = click.echo) -> tuple[int, int]:
    """Create the demo agencies and datasets that do not exist yet.

    Returns how many agencies and datasets were created.
    """
    agencies = agency_records()
    datasets = dataset_records()
    agency_names = _existing(
        [a["name"] for a in agencies], model.Group.name, model.Group.is_organization
    )
    dataset_names = _existing([d["name"] for d in datasets], model.Package.name)
    missing_agencies = [a for a in agencies if a["name"] not in agency_names]
    missing_datasets = [d for d in datasets if d["name"] not in dataset_names]
    if not missing_agencies and not missing_datasets:
        echo(f"Demo data already loaded ({len(agencies)} agencies, {len(datasets)} datasets).")
        return 0, 0

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})

    def context() -> dict[str, Any]:
        return {"user": site_user["name"], "ignore_auth": True}

    for record in missing_agencies:
        tk.get_action("organization_create")(context(), dict(record))
        echo(f"agency  {record['name']}")
    reviews = {
        slugify(entry["title"]["vi"]): entry.get("review", {}) for entry in _load("datasets.yaml")
    }
    for record in missing_datasets:
        created = tk.get_action("package_create")(context(), dict(record))
        state = _review(created, reviews[record["name"]], context)
        echo(f"dataset {record['name']} ({state})")
    echo(f"Loaded {len(missing_agencies)} agencies and {len(missing_datasets)} datasets.")
    return len(missing_agencies), len(missing_datasets)


def _review(dataset: dict[str, Any], review: dict[str, Any], context: Any) -> str:
    """Take a new demo dataset to the review state its entry names
    (published unless it says `draft`, `submitted` or `returned`; a
    published one may have a `pending` change that waits for approval)."""
    target = review.get("state", "published")
    if dataset["review_state"] != "draft" or target == "draft":
        return dataset["review_state"]
    action = tk.get_action
    result = action("vnopendata_dataset_submit")(context(), {"id": dataset["id"]})
    if target == "returned":
        result = action("vnopendata_dataset_return")(
            context(), {"id": dataset["id"], "reason": review["reason"]}
        )
    elif target == "published":
        result = action("vnopendata_dataset_approve")(context(), {"id": dataset["id"]})
        if review.get("pending"):
            # A change that opens the published dataset further and waits.
            result = action("package_patch")(context(), {"id": dataset["id"], **review["pending"]})
    return result["review_state"]


@click.command("demo", short_help="Load the demo agencies and datasets once")
def demo_command() -> None:
    """Load demo agencies and datasets; a second run loads nothing."""
    load()
