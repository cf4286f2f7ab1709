"""No leak, proven: every role against every dataset on every read path.

The catalogue holds one dataset for each sharing class x review state x
metadata-visible, all of one agency (a department whose parent is a
ministry), each with a link resource and an uploaded file. Eight people
read it through the API and the pages. What each of them should get is
written below as a truth table (`PUBLISHED`, `NOT_PUBLISHED`), and what
each read path shows follows from it by CKAN's documented rules (`SCOPES`):
nothing here asks the code under test what to expect.

The table runs twice: once with the portal's default (review required) and
once with review switched off, where published datasets were created
published. Every comparison of one dataset on one path for one person is a
cell; the suite prints how many it asserted.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ckan.logic as logic
import leak_cells
import pytest
import sqlalchemy as sa
from ckan.common import config
from vn_sharing import GRANT_ROLES, ROLES, call_as, dataset_data, make_agency, make_people
from werkzeug.datastructures import FileStorage

FULL, METADATA, NOTHING = "full", "metadata", "nothing"
_ALL_FULL = dict.fromkeys(ROLES, FULL)
_AGENCY = {"member": FULL, "editor": FULL, "admin": FULL, "sysadmin": FULL}

# What each person sees of a PUBLISHED dataset, by (class, metadata visible).
PUBLISHED: dict[tuple[str, bool], dict[str, str]] = {
    ("open", False): _ALL_FULL,
    ("open", True): _ALL_FULL,
    ("inter_agency", False): {
        **_AGENCY,
        "anonymous": NOTHING,
        "citizen": NOTHING,
        "other_agency": FULL,
        "parent_admin": FULL,
    },
    ("inter_agency", True): {
        **_AGENCY,
        "anonymous": METADATA,
        "citizen": METADATA,
        "other_agency": FULL,
        "parent_admin": FULL,
    },
    ("restricted", False): {
        **_AGENCY,
        "anonymous": NOTHING,
        "citizen": NOTHING,
        "other_agency": NOTHING,
        "parent_admin": FULL,
    },
    ("restricted", True): {
        **_AGENCY,
        "anonymous": NOTHING,
        "citizen": NOTHING,
        "other_agency": METADATA,
        "parent_admin": FULL,
    },
}
# Grant holders are members of another agency: they see what other_agency
# sees, except that a live grant opens its dataset in full
# (`Dataset.live_grants`); an expired or revoked grant opens nothing.
for _levels in PUBLISHED.values():
    for _role in GRANT_ROLES:
        _levels[_role] = _levels["other_agency"]
# Draft, submitted or returned: the owning agency only, whatever the class.
NOT_PUBLISHED = {
    **_AGENCY,
    "anonymous": NOTHING,
    "citizen": NOTHING,
    "other_agency": NOTHING,
    "parent_admin": NOTHING,
    **dict.fromkeys(GRANT_ROLES, NOTHING),
}

CLASSES = ("open", "inter_agency", "restricted")
STATES = ("draft", "submitted", "returned", "published")
OWNING_MEMBERS = ("member", "editor", "admin", "sysadmin")


@dataclass(frozen=True)
class Dataset:
    name: str
    id: str
    sharing_class: str
    state: str
    metadata_visible: bool
    link_resource: str
    upload_resource: str
    # Roles holding a live access grant on this dataset.
    live_grants: frozenset[str] = frozenset()

    def level(self, role: str) -> str:
        if self.state != "published":
            return NOT_PUBLISHED[role]
        if role in self.live_grants:
            return FULL
        return PUBLISHED[(self.sharing_class, self.metadata_visible)][role]

    @property
    def public(self) -> bool:
        """CKAN-public: what CKAN lists without `include_private`."""
        return self.sharing_class == "open" and self.state == "published"


@dataclass
class Catalogue:
    datasets: list[Dataset]
    people: dict[str, Any]
    owning: dict[str, Any]
    group: dict[str, Any]


def _build_dataset(
    people, owning, group, sharing_class, state, visible, review_required, name=None
):
    name = name or f"{sharing_class.replace('_', '-')}-{state}-{'mv' if visible else 'an'}"
    data = dataset_data(
        owning["id"],
        name,
        sharing_class,
        title_translated={"vi": f"Kiểm tra rò rỉ {name}", "en": f"Leak check {name}"},
        tag_string=f"chung,t-{name}",
        metadata_visible=visible,
        resources=[{"url": f"https://data.example.vn/{name}.csv", "name": "Bảng", "format": "CSV"}],
    )
    key = "ckanext.vnopendata.review.required"
    # States other than published only arise under review.
    config[key] = review_required or state != "published"
    dataset = call_as(people["editor"], "package_create", **data)
    call_as(
        people["editor"],
        "resource_create",
        package_id=dataset["id"],
        name="Tệp tải lên",
        url="bang.csv",
        upload=FileStorage(io.BytesIO(b"ma,so\n01,1\n"), filename="bang.csv"),
    )
    if state != "draft" and dataset["review_state"] == "draft":
        call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
        if state == "returned":
            call_as(people["admin"], "vnopendata_dataset_return", id=dataset["id"], reason="Sửa")
        if state == "published":
            call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    call_as(
        people["sysadmin"],
        "member_create",
        id=group["id"],
        object=dataset["id"],
        object_type="package",
        capacity="public",
    )
    shown = call_as(people["sysadmin"], "package_show", id=dataset["id"])
    assert shown["review_state"] == state
    link, upload = sorted(shown["resources"], key=lambda r: r["url_type"] or "")
    return Dataset(name, dataset["id"], sharing_class, state, visible, link["id"], upload["id"])


@pytest.fixture(scope="module", params=[True, False], ids=["review-required", "review-off"])
def catalogue(request, reset_database) -> Iterator[Catalogue]:
    reset_database()
    key = "ckanext.vnopendata.review.required"
    saved = config.get(key)
    try:
        parent = make_agency("bo-y-te", "000.00.00.G10")
        owning = make_agency("cuc-y-te-du-phong", "000.01.00.G10", parent_agency=parent["id"])
        other = make_agency("bo-tai-chinh", "000.00.00.G09")
        people = make_people(owning, parent, other)
        group = call_as(people["sysadmin"], "group_create", name="nhom-kiem-tra")
        datasets = [
            _build_dataset(people, owning, group, cls, state, visible, request.param)
            for cls in CLASSES
            for state in STATES
            for visible in (False, True)
        ]
        for role in ROLES[1:]:
            call_as(people[role], "follow_group", id=owning["id"])
        other_dataset = _build_dataset(
            people, owning, group, "restricted", "published", False, request.param, "cap-khac"
        )
        _grant(people, other_dataset.id, "grant_other")
        datasets.append(dataclasses.replace(other_dataset, live_grants=frozenset({"grant_other"})))
        for index, dataset in enumerate(datasets):
            if (
                dataset.sharing_class == "restricted"
                and dataset.state == "published"
                and not dataset.live_grants
            ):
                datasets[index] = dataclasses.replace(
                    dataset, live_grants=frozenset({"grant_live"})
                )
                for role in ("grant_live", "grant_expired", "grant_revoked"):
                    grant_id = _grant(people, dataset.id, role)
                    if role == "grant_revoked":
                        call_as(
                            people["admin"],
                            "vnopendata_access_grant_revoke",
                            id=grant_id,
                            reason="Kiểm tra",
                        )
                    if role == "grant_expired":
                        _expire(grant_id)
    finally:
        config[key] = saved
    yield Catalogue(datasets, people, owning, group)


def _grant(people, package_id: str, role: str) -> str:
    """An approved access request of `role` for the dataset: its grant id."""
    limit = "ckanext.vnopendata.requests.rate_limit"
    saved = config.get(limit)
    config[limit] = "1000 per hour"
    try:
        request = call_as(
            people[role],
            "vnopendata_access_request_create",
            package_id=package_id,
            purpose="Kiểm tra rò rỉ",
            legal_basis="Luật Dữ liệu, Điều 17",
            items=["Bảng"],
            duration_days=30,
            contact="0241234567",
        )
    finally:
        config[limit] = saved
    approved = call_as(people["admin"], "vnopendata_access_request_approve", id=request["id"])
    return approved["grant"]["id"]


def _expire(grant_id: str) -> None:
    """Expired one second ago: nothing is rewritten but the grant's row."""
    from ckan import model

    model.Session.execute(
        sa.text(
            "UPDATE vnopendata_access_grant SET expires_at = "
            "(now() AT TIME ZONE 'utc') - interval '1 second' WHERE id = :id"
        ),
        {"id": grant_id},
    )
    model.repo.commit()


# Which datasets a read path lists, from the truth table and CKAN's rules.
def labelled(dataset: Dataset, role: str) -> bool:
    """Filtered by permission labels: everything the person may see."""
    return dataset.level(role) != NOTHING


def public_only(dataset: Dataset, role: str) -> bool:
    """CKAN's listings without `include_private`: public datasets only."""
    return dataset.public


def data_readers(dataset: Dataset, role: str) -> bool:
    """Resources, downloads and activity (which stores whole datasets)."""
    return dataset.level(role) == FULL


def own_account_or_sysadmin(dataset: Dataset, role: str) -> bool:
    """user_show lists private datasets to the user themself and sysadmins;
    anonymous visitors see no user (`ckan.auth.public_user_details = false`)."""
    if role == "anonymous":
        return False
    return labelled(dataset, role) if role in ("editor", "sysadmin") else dataset.public


def public_activity(dataset: Dataset, role: str) -> bool:
    """Agency and group streams show activities of public datasets only."""
    return dataset.public


def user_activity(dataset: Dataset, role: str) -> bool:
    """A user's activity: no user details for anonymous visitors."""
    return role != "anonymous" and data_readers(dataset, role)


def members_of_the_agency(dataset: Dataset, role: str) -> bool:
    """organization_show lists private datasets to the agency's members."""
    return labelled(dataset, role) if role in OWNING_MEMBERS else dataset.public


def sysadmin_or_public(dataset: Dataset, role: str) -> bool:
    """current_package_list_with_resources: private ones for sysadmins."""
    return labelled(dataset, role) if role == "sysadmin" else dataset.public


def check(
    catalogue: Catalogue,
    role: str,
    path: str,
    seen: set[str],
    expected: Any,
    *,
    page_of: int | None = None,
    first_page_only: bool = False,
) -> None:
    """Compare the datasets a path showed with the table, cell by cell.

    `page_of`: the path shows one page of a list whose total it gives; each
    dataset on the page must be expected, and the total must match.
    `first_page_only`: the path shows the newest entries of a stream without
    a total; each one shown must be expected."""
    wrong = []
    for dataset in catalogue.datasets:
        should = expected(dataset, role)
        shown = dataset.name in seen
        if shown and not should:
            wrong.append(f"{dataset.name}: LEAKED")
        elif should and not shown and page_of is None and not first_page_only:
            wrong.append(f"{dataset.name}: missing")
    if page_of is not None:
        total = sum(expected(d, role) for d in catalogue.datasets)
        if page_of != total:
            wrong.append(f"total {page_of}, expected {total}")
    leak_cells.count(len(catalogue.datasets))
    assert not wrong, f"{role} on {path}: " + ", ".join(wrong)


def _names(rows: list[dict[str, Any]]) -> set[str]:
    return {row["name"] for row in rows}


def _can(action: str, person, **data) -> Any:
    try:
        return call_as(person, action, **data)
    except (logic.NotAuthorized, logic.NotFound):
        return None


# API ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_package_show(catalogue, role):
    person = catalogue.people[role]
    seen = set()
    for dataset in catalogue.datasets:
        shown = _can("package_show", person, id=dataset.id)
        if shown is None:
            continue
        seen.add(dataset.name)
        resources = shown["resources"]
        if dataset.level(role) == METADATA:
            assert resources == [] and "url" not in shown, dataset.name
            assert shown["data_access"] == "metadata_only"
        elif dataset.level(role) == FULL:
            assert len(resources) == 2, dataset.name
    check(catalogue, role, "package_show", seen, labelled)


@pytest.mark.parametrize("role", ROLES)
def test_dataset_follower_count(catalogue, role):
    """A dataset's follower count is told only to who may see the dataset;
    anyone else gets "not found", as for a name no dataset has."""
    person = catalogue.people[role]
    for reference in ("id", "name"):
        seen = set()
        for dataset in catalogue.datasets:
            try:
                call_as(person, "dataset_follower_count", id=getattr(dataset, reference))
            except logic.ValidationError:
                continue
            seen.add(dataset.name)
        check(catalogue, role, f"dataset_follower_count (by {reference})", seen, labelled)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["resource_show", "resource_view_list"])
def test_resource_reads(catalogue, role, action):
    person = catalogue.people[role]
    for field in ("link_resource", "upload_resource"):
        seen = {
            d.name
            for d in catalogue.datasets
            if _can(action, person, id=getattr(d, field)) is not None
        }
        check(catalogue, role, f"{action} ({field})", seen, data_readers)


@pytest.mark.parametrize("role", ROLES)
def test_package_search_with_private(catalogue, role):
    person = catalogue.people[role]
    result = call_as(
        person,
        "package_search",
        fq="tags:chung",
        rows=100,
        include_private=True,
        **{"facet.field": '["sharing_class", "organization", "tags", "res_format"]'},
        facet="true",
    )
    seen = _names(result["results"])
    check(catalogue, role, "package_search", seen, labelled)
    assert result["count"] == len(seen)
    visible = [d for d in catalogue.datasets if labelled(d, role)]
    facets = result["facets"]
    for sharing_class in CLASSES:
        count = sum(d.sharing_class == sharing_class for d in visible)
        assert facets["sharing_class"].get(sharing_class, 0) == count, sharing_class
    assert facets["organization"].get(catalogue.owning["name"], 0) == len(visible)
    assert facets["tags"].get("chung", 0) == len(visible)
    for dataset in catalogue.datasets:
        assert facets["tags"].get(f"t-{dataset.name}", 0) == int(labelled(dataset, role))
    leak_cells.count(len(catalogue.datasets) + len(CLASSES) + 2)
    for row in result["results"]:
        dataset = next(d for d in catalogue.datasets if d.name == row["name"])
        expected_resources = 0 if dataset.level(role) == METADATA else 2
        assert len(row["resources"]) == expected_resources, row["name"]
        assert row["num_resources"] == expected_resources


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "fields",
    ["name validated_data_dict res_url", ["name", "validated_data_dict", "res_url"]],
    ids=["fl-text", "fl-list"],  # from the API / from code calling the action
)
def test_package_search_fields_do_not_carry_data(catalogue, role, fields):
    person = catalogue.people[role]
    result = call_as(
        person,
        "package_search",
        fq="tags:chung",
        rows=100,
        include_private=True,
        fl=fields,
    )
    for row in result["results"]:
        dataset = next(d for d in catalogue.datasets if d.name == row["name"])
        carries = "validated_data_dict" in row or "res_url" in row
        assert carries == (dataset.level(role) == FULL), row["name"]
        assert "id" not in row
    check(catalogue, role, "package_search fl", _names(result["results"]), labelled)


@pytest.mark.parametrize("role", ROLES)
def test_package_search_public(catalogue, role):
    result = call_as(catalogue.people[role], "package_search", fq="tags:chung", rows=100)
    check(catalogue, role, "package_search public", _names(result["results"]), public_only)


@pytest.mark.parametrize("role", ROLES)
def test_package_list(catalogue, role):
    seen = set(call_as(catalogue.people[role], "package_list"))
    check(catalogue, role, "package_list", seen, public_only)


@pytest.mark.parametrize("role", ROLES)
def test_current_package_list_with_resources(catalogue, role):
    rows = call_as(catalogue.people[role], "current_package_list_with_resources", limit=100)
    check(catalogue, role, "current_package_list", _names(rows), sysadmin_or_public)
    for row in rows:
        dataset = next(d for d in catalogue.datasets if d.name == row["name"])
        assert bool(row["resources"]) == (dataset.level(role) == FULL), row["name"]


@pytest.mark.parametrize("role", ROLES)
def test_package_autocomplete(catalogue, role):
    rows = call_as(catalogue.people[role], "package_autocomplete", q="kiem tra ro ri", limit=100)
    check(catalogue, role, "package_autocomplete", _names(rows), labelled)


@pytest.mark.parametrize("role", ROLES)
def test_organization_show(catalogue, role):
    agency = call_as(
        catalogue.people[role],
        "organization_show",
        id=catalogue.owning["id"],
        include_datasets=True,
    )
    check(
        catalogue,
        role,
        "organization_show",
        _names(agency["packages"]),
        members_of_the_agency,
        page_of=agency["package_count"],
    )


@pytest.mark.parametrize("role", ROLES)
def test_organization_list_counts(catalogue, role):
    agencies = call_as(catalogue.people[role], "organization_list", all_fields=True)
    count = next(a["package_count"] for a in agencies if a["id"] == catalogue.owning["id"])
    expected = sum(labelled(d, role) for d in catalogue.datasets)
    leak_cells.count(1)
    assert count == expected


@pytest.mark.parametrize("role", ROLES)
def test_group_show(catalogue, role):
    group = call_as(
        catalogue.people[role], "group_show", id=catalogue.group["id"], include_datasets=True
    )
    check(
        catalogue,
        role,
        "group_show",
        _names(group["packages"]),
        public_only,
        page_of=group["package_count"],
    )


@pytest.mark.parametrize("role", ROLES)
def test_user_show(catalogue, role):
    editor = _can(
        "user_show",
        catalogue.people[role],
        id=catalogue.people["editor"]["id"],
        include_datasets=True,
    )
    seen = _names(editor["datasets"]) if editor else set()
    check(catalogue, role, "user_show", seen, own_account_or_sysadmin)


@pytest.mark.parametrize("role", ROLES)
def test_tags(catalogue, role):
    person = catalogue.people[role]
    tags = set(call_as(person, "tag_list"))
    seen = {d.name for d in catalogue.datasets if f"t-{d.name}" in tags}
    check(catalogue, role, "tag_list", seen, labelled)
    shown = set()
    for dataset in catalogue.datasets:
        tag = _can("tag_show", person, id=f"t-{dataset.name}", include_datasets=True)
        if tag is not None and dataset.name in _names(tag.get("packages", [])):
            shown.add(dataset.name)
    # CKAN's tag_show lists public datasets only.
    check(catalogue, role, "tag_show", shown, public_only)


def _activity_names(activities: list[dict[str, Any]] | None) -> set[str]:
    return {
        a["data"]["package"]["name"] for a in activities or [] if a.get("data", {}).get("package")
    }


def _whole_stream(person, action: str, **data) -> set[str]:
    """Every dataset named in an activity stream, page by page."""
    names: set[str] = set()
    offset = 0
    while True:
        page = _can(action, person, offset=offset, limit=100, **data)
        if not page:
            return names
        names |= _activity_names(page)
        offset += len(page)


@pytest.mark.parametrize("role", ROLES)
def test_activity_streams(catalogue, role):
    person = catalogue.people[role]
    streams = {
        "package_activity_list": (
            set().union(
                *(
                    _whole_stream(person, "package_activity_list", id=d.id)
                    for d in catalogue.datasets
                )
            ),
            data_readers,
        ),
        "organization_activity_list": (
            _whole_stream(person, "organization_activity_list", id=catalogue.owning["id"]),
            public_activity,
        ),
        "user_activity_list": (
            _whole_stream(person, "user_activity_list", id=catalogue.people["editor"]["id"]),
            user_activity,
        ),
    }
    for path, (seen, expected) in streams.items():
        check(catalogue, role, path, seen, expected)
    if person is not None:
        # The dashboard holds the person's own activities and those of the
        # agency they follow (its public datasets): what it shows must be
        # theirs to read in full.
        seen = _whole_stream(person, "dashboard_activity_list")
        check(catalogue, role, "dashboard_activity_list", seen, data_readers, first_page_only=True)
        assert seen, f"{role}: the dashboard shows nothing"


# Pages ----------------------------------------------------------------------


def _headers(person) -> dict[str, str]:
    return {"Authorization": person["token"]} if person else {}


def _get(app, person, url: str, status: int | None = None):
    return app.get(url, headers=_headers(person), status=status, follow_redirects=False)


def _linked(html: str, dataset: Dataset) -> bool:
    """Whether a page links to the dataset (by name, or by id as activities do)."""
    names = f"{re.escape(dataset.name)}|{re.escape(dataset.id)}"
    return re.search(rf'/dataset/(?:{names})["/?#<]', html) is not None


@pytest.mark.parametrize("role", ROLES)
def test_dataset_and_resource_pages(app, catalogue, role):
    person = catalogue.people[role]
    pages, resource_pages, downloads = set(), set(), set()
    for dataset in catalogue.datasets:
        page = _get(app, person, f"/dataset/{dataset.name}")
        if page.status_code == 200:
            pages.add(dataset.name)
            html = page.get_data(as_text=True)
            shows_data = f"{dataset.name}.csv" in html or dataset.link_resource in html
            assert shows_data == (dataset.level(role) == FULL), dataset.name
        else:
            assert page.status_code in (403, 404), (dataset.name, page.status_code)
        if (
            _get(
                app, person, f"/dataset/{dataset.id}/resource/{dataset.upload_resource}"
            ).status_code
            == 200
        ):
            resource_pages.add(dataset.name)
        for resource in (dataset.link_resource, dataset.upload_resource):
            url = f"/dataset/{dataset.id}/resource/{resource}"
            download = _get(app, person, url + "/download/bang.csv")
            if download.status_code in (200, 302):
                downloads.add(dataset.name)
            else:
                assert download.status_code in (403, 404), (url, download.status_code)
    check(catalogue, role, "dataset page", pages, labelled)
    check(catalogue, role, "resource page", resource_pages, data_readers)
    check(catalogue, role, "download", downloads, data_readers)


def _listed(app, person, url: str, catalogue: Catalogue) -> set[str]:
    seen: set[str] = set()
    for number in (1, 2):
        page = _get(app, person, f"{url}{'&' if '?' in url else '?'}page={number}")
        if page.status_code != 200:
            break
        html = page.get_data(as_text=True)
        seen |= {d.name for d in catalogue.datasets if _linked(html, d)}
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_listing_pages(app, catalogue, role):
    person = catalogue.people[role]
    owning = catalogue.owning["name"]
    listings = {
        "search page": (_listed(app, person, "/dataset/?tags=chung", catalogue), labelled),
        "agency page": (_listed(app, person, f"/organization/{owning}", catalogue), labelled),
        "group page": (
            _listed(app, person, f"/group/{catalogue.group['name']}", catalogue),
            labelled,
        ),
        "user page": (
            _listed(app, person, f"/user/{catalogue.people['editor']['name']}", catalogue),
            own_account_or_sysadmin,
        ),
    }
    for path, (seen, expected) in listings.items():
        check(catalogue, role, path, seen, expected)


@pytest.mark.parametrize("role", ROLES)
def test_activity_pages(app, catalogue, role):
    person = catalogue.people[role]
    dataset_pages = set()
    for dataset in catalogue.datasets:
        page = _get(app, person, f"/dataset/activity/{dataset.name}")
        if page.status_code == 200 and _linked(page.get_data(as_text=True), dataset):
            dataset_pages.add(dataset.name)
    check(catalogue, role, "dataset activity page", dataset_pages, data_readers)
    pages = {
        "agency activity page": (
            f"/organization/activity/{catalogue.owning['name']}",
            public_activity,
        )
    }
    if person is not None:
        pages["dashboard"] = ("/dashboard/", data_readers)
    for path, (url, expected) in pages.items():
        page = _get(app, person, url)
        html = page.get_data(as_text=True) if page.status_code == 200 else ""
        seen = {d.name for d in catalogue.datasets if _linked(html, d)}
        check(catalogue, role, path, seen, expected, first_page_only=True)
        if any(expected(d, role) for d in catalogue.datasets):
            assert seen, f"{role} on {path}: the stream shows nothing"


@pytest.mark.parametrize("role", ROLES)
def test_atom_feeds(app, catalogue, role):
    person = catalogue.people[role]
    feeds = {
        "dataset feed": "/feeds/dataset.atom",
        "agency feed": f"/feeds/organization/{catalogue.owning['name']}.atom",
        "group feed": f"/feeds/group/{catalogue.group['name']}.atom",
        "tag feed": "/feeds/tag/chung.atom",
        "custom feed": "/feeds/custom.atom?q=tags:chung",
    }
    for path, url in feeds.items():
        page = _get(app, person, url, status=200)
        xml = page.get_data(as_text=True)
        seen = {d.name for d in catalogue.datasets if _linked(xml, d)}
        check(catalogue, role, path, seen, public_only)
