"""A small, hand-designed catalogue for the search tests.

Every expected result in ``test_query_table.py`` is worked out by hand from
this table and from CKAN's documented search semantics, so the text here is
chosen with care:

- dataset names (slugs) are English and share no word with any Vietnamese
  query of the table, so that matches on ``name`` (copied into Solr's
  ``text``) never change a free-text result;
- organisation and group names are short codes for the same reason;
- "Hà Nội" appears (in any spelling) only where the table says so, and the
  pair "Bản đồ ..." / "Ban quản lý ..." is the only text that folds to "ban";
- each dataset has its own ``metadata_created`` and ``metadata_modified``,
  so that sorting on them has no ties.

Visibility follows CKAN's default permission labels: an active, non-private
dataset is public; any other one is seen by members of its organisation
(and by sysadmins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins as plugins
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

SYSADMIN = "search_sysadmin"
USER_A = "search_user_a"  # editor of organisation A (stc)
USER_B = "search_user_b"  # member of organisation B (syt)

ORGS: dict[str, str] = {
    "stc": "Sở Tài chính",  # A
    "syt": "Sở Y tế",  # B
    "bnn": "Bộ Nông nghiệp và Môi trường",  # C
}
GROUPS: dict[str, str] = {"economy": "Kinh tế", "society": "Xã hội"}

Resource = tuple[str, str, str]  # name, description, format


@dataclass(frozen=True)
class CorpusDataset:
    name: str
    org: str
    title: str
    notes: str
    tags: tuple[str, ...]
    resources: tuple[Resource, ...]
    license_id: str
    # Either an absolute UTC time or an offset back from the time the corpus
    # is built (for the NOW-relative ranges).
    created: dt.datetime | dt.timedelta
    modified: dt.datetime | dt.timedelta
    groups: tuple[str, ...] = ()
    private: bool = False
    state: str = "active"
    sector: str = "government"
    provinces: tuple[str, ...] = ()
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def sharing_class(self) -> str:
        return "restricted" if self.private else "open"


def _utc(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 8, 0, 0)


CORPUS: tuple[CorpusDataset, ...] = (
    # --- organisation A: stc (Sở Tài chính) ---------------------------------
    CorpusDataset(
        name="population-hanoi",
        org="stc",
        title="Dân số Hà Nội năm 2023",
        notes="Thống kê dân số theo quận huyện.",
        tags=("dân số", "thống kê"),
        groups=("society",),
        resources=(("Bảng dân số theo quận", "Số liệu tổng hợp", "CSV"),),
        license_id="CC-BY-4.0",
        created=_utc(2020, 3, 15),
        modified=_utc(2024, 1, 10),
        sector="society",
        provinces=("01",),
        extras={"update_note": "hằng năm"},
    ),
    CorpusDataset(
        name="state-budget-2023",
        org="stc",
        title="Ngân sách nhà nước năm 2023",
        notes="Dự toán và quyết toán ngân sách của thành phố Hà Nội.",
        tags=("ngân sách", "tài chính"),
        groups=("economy",),
        resources=(
            ("Dự toán", "Dự toán thu chi", "XLSX"),
            ("Quyết toán", "Quyết toán thu chi", "CSV"),
            ("API ngân sách", "Dịch vụ dữ liệu", "JSON"),
        ),
        license_id="ODbL-1.0",
        created=_utc(2021, 6, 1),
        modified=_utc(2024, 2, 1),
        sector="finance",
        provinces=("01",),
        extras={"update_note": "hằng quý"},
    ),
    CorpusDataset(
        name="household-business-tax",
        org="stc",
        private=True,
        title="Thu thuế hộ kinh doanh",
        notes="Số liệu thu thuế nội bộ của thành phố Hà Nội.",
        tags=("thuế", "tài chính"),
        groups=("economy",),
        resources=(("Bảng thu thuế", "Theo phường", "CSV"),),
        license_id="vn-restricted-terms",
        created=_utc(2022, 1, 10),
        modified=_utc(2024, 3, 1),
        sector="finance",
        provinces=("01",),
    ),
    CorpusDataset(
        name="public-investment-draft",
        org="stc",
        state="draft",
        title="Kế hoạch đầu tư công",
        notes="Dự thảo kế hoạch đầu tư công trung hạn.",
        tags=("đầu tư",),
        resources=(("Danh mục dự án", "", "PDF"),),
        license_id="CC-BY-4.0",
        created=_utc(2023, 9, 9),
        modified=_utc(2024, 3, 5),
        sector="finance",
        provinces=("01",),
    ),
    CorpusDataset(
        name="old-land-prices",
        org="stc",
        state="deleted",
        title="Bảng giá đất Hà Nội giai đoạn 2015-2019",
        notes="Bảng giá đất đã hết hiệu lực.",
        tags=("đất đai",),
        resources=(("Giá đất", "", "CSV"),),
        license_id="CC-BY-4.0",
        created=_utc(2019, 1, 1),
        modified=_utc(2019, 2, 2),
        sector="finance",
        provinces=("01",),
    ),
    CorpusDataset(
        name="bus-routes",
        org="stc",
        title="Tuyến xe buýt Ha Noi",
        notes="Lộ trình các tuyến xe buýt.",
        tags=("giao thông",),
        resources=(("Lộ trình", "", "GeoJSON"),),
        license_id="CC-BY-4.0",
        created=dt.timedelta(minutes=10),
        modified=dt.timedelta(minutes=9),
        sector="infrastructure",
        provinces=("01",),
    ),
    # --- organisation B: syt (Sở Y tế) --------------------------------------
    CorpusDataset(
        name="public-hospitals",
        org="syt",
        title="Danh sách bệnh viện công lập",
        notes="Bệnh viện công lập tại Hà Nội và Thành phố Hồ Chí Minh.",
        tags=("y tế", "bệnh viện"),
        groups=("society",),
        resources=(
            ("Danh sách bệnh viện", "Địa chỉ và số giường", "CSV"),
            ("Vị trí bệnh viện", "Tọa độ", "GeoJSON"),
        ),
        license_id="CC-BY-4.0",
        created=_utc(2020, 7, 1),
        modified=_utc(2023, 12, 1),
        sector="health",
        provinces=("01", "79"),
        extras={"update_note": "hằng năm"},
    ),
    CorpusDataset(
        name="vaccination-coverage",
        org="syt",
        private=True,
        title="Tỷ lệ tiêm chủng mở rộng",
        notes="Số liệu tiêm chủng nội bộ của ngành y tế.",
        tags=("y tế", "tiêm chủng"),
        groups=("society",),
        resources=(("Tiêm chủng theo quận", "", "XLSX"),),
        license_id="vn-restricted-terms",
        created=_utc(2023, 2, 1),
        modified=_utc(2023, 5, 1),
        sector="health",
        provinces=("79",),
    ),
    CorpusDataset(
        name="hospital-beds-draft",
        org="syt",
        state="draft",
        title="Số giường bệnh dự kiến",
        notes="Dự kiến số giường bệnh.",
        tags=("y tế",),
        resources=(),
        license_id="CC-BY-4.0",
        created=_utc(2024, 2, 2),
        modified=_utc(2024, 4, 1),
        sector="health",
        provinces=("79",),
    ),
    CorpusDataset(
        name="health-insurance",
        org="syt",
        title="Bảo hiểm y tế",
        notes="Số người tham gia bảo hiểm y tế.",
        tags=("y tế", "bảo hiểm"),
        groups=("society", "economy"),
        resources=(("Số người tham gia", "", "CSV"), ("Báo cáo năm", "", "PDF")),
        license_id="CC-BY-4.0",
        created=dt.timedelta(hours=30),
        modified=dt.timedelta(hours=29, minutes=59),
        sector="health",
        provinces=("48",),
    ),
    # --- organisation C: bnn (Bộ Nông nghiệp và Môi trường) -------------------
    CorpusDataset(
        name="rice-production",
        org="bnn",
        title="Sản lượng lúa gạo theo tỉnh",
        notes="Sản lượng nông nghiệp của 34 tỉnh thành.",
        tags=("nông nghiệp", "lúa gạo"),
        groups=("economy",),
        resources=(
            ("Sản lượng lúa", "Theo năm", "CSV"),
            ("Sản lượng lúa JSON", "Theo năm", "JSON"),
        ),
        license_id="CC-BY-4.0",
        created=_utc(2019, 5, 5),
        modified=_utc(2022, 9, 1),
        sector="agriculture",
        provinces=("79", "48"),
    ),
    CorpusDataset(
        name="rural-development",
        org="bnn",
        title="Nông thôn mới",
        notes="Tiến độ xây dựng nông thôn mới.",
        tags=("nông thôn",),
        resources=(),
        license_id="CC0-1.0",
        created=_utc(2018, 8, 8),
        modified=_utc(2021, 11, 11),
        sector="agriculture",
        provinces=("38", "40"),
    ),
    CorpusDataset(
        name="land-map",
        org="bnn",
        title="Bản đồ quy hoạch đất",
        notes="Quy hoạch đất cấp tỉnh.",
        tags=("đất đai", "quy hoạch"),
        resources=(("Lớp quy hoạch", "Dữ liệu không gian", "SHP"),),
        license_id="CC-BY-4.0",
        created=_utc(2022, 6, 6),
        modified=_utc(2023, 3, 3),
        sector="environment",
        provinces=("38",),
    ),
    CorpusDataset(
        name="project-board",
        org="bnn",
        title="Ban quản lý quy hoạch",
        notes="Quy hoạch cấp tỉnh.",
        tags=("quy hoạch",),
        resources=(("Quyết định thành lập", "", "PDF"),),
        license_id="vn-agency-terms",
        created=_utc(2022, 6, 7),
        modified=_utc(2023, 3, 4),
        sector="government",
        provinces=("38",),
    ),
    CorpusDataset(
        name="forest-cover",
        org="bnn",
        private=True,
        title="Độ che phủ rừng",
        notes="Số liệu kiểm kê rừng nội bộ.",
        tags=("lâm nghiệp",),
        resources=(("Kiểm kê rừng", "", "XLSX"),),
        license_id="vn-restricted-terms",
        created=_utc(2021, 1, 1),
        modified=_utc(2022, 2, 2),
        sector="environment",
        provinces=("66",),
    ),
    CorpusDataset(
        name="agri-prices",
        org="bnn",
        title="Giá nông sản hằng tuần",
        notes="Giá lúa, cà phê, hồ tiêu tại các chợ đầu mối.",
        tags=("nông sản", "giá cả"),
        resources=(("Tuần 1", "", "CSV"), ("Tuần 2", "", "CSV"), ("Tuần 3", "", "CSV")),
        license_id="CC-BY-4.0",
        created=_utc(2023, 10, 10),
        modified=_utc(2024, 5, 20),
        sector="agriculture",
        provinces=("79", "75"),
    ),
    CorpusDataset(
        name="air-quality",
        org="bnn",
        title="Air quality monitoring stations",
        notes="Hourly readings from monitoring stations.",
        tags=("môi trường", "không khí"),
        resources=(("Số liệu quan trắc", "Theo giờ", "CSV"),),
        license_id="ODbL-1.0",
        created=dt.timedelta(hours=2),
        modified=dt.timedelta(hours=1, minutes=59),
        sector="environment",
        provinces=("31",),
    ),
)

BY_NAME: dict[str, CorpusDataset] = {d.name: d for d in CORPUS}

# English title and description of each dataset (the schema's
# title_translated / notes_translated). Their words stay out of the way of
# the table's queries too: no "air", "quality", "monitoring" or "society"
# outside the air-quality dataset.
ENGLISH: dict[str, tuple[str, str]] = {
    "population-hanoi": ("Hanoi population 2023", "Population statistics by district."),
    "state-budget-2023": ("State budget 2023", "Estimates and final accounts of the city."),
    "household-business-tax": ("Household business tax", "Internal tax revenue figures."),
    "public-investment-draft": ("Public investment plan", "Medium-term public investment draft."),
    "old-land-prices": ("Old land price table", "Land prices no longer in force."),
    "bus-routes": ("Bus routes", "Routes of the city buses."),
    "public-hospitals": ("Public hospitals", "Public hospitals and their addresses."),
    "vaccination-coverage": ("Vaccination coverage", "Internal vaccination figures."),
    "hospital-beds-draft": ("Planned hospital beds", "Planned number of hospital beds."),
    "health-insurance": ("Health insurance", "People covered by health insurance."),
    "rice-production": ("Rice production by province", "Farm output of 34 provinces."),
    "rural-development": ("New rural development", "Progress of the new rural programme."),
    "land-map": ("Land use planning map", "Provincial land use planning."),
    "project-board": ("Planning management board", "Provincial planning."),
    "forest-cover": ("Forest cover", "Internal forest inventory."),
    "agri-prices": ("Weekly farm produce prices", "Prices of rice, coffee and pepper."),
    "air-quality": ("Air quality monitoring stations", "Hourly readings from monitoring stations."),
}

# The scheming organisation schema asks for an e-ID, a type and a level.
ORG_FIELDS: dict[str, dict[str, Any]] = {
    "stc": {
        "title_en": "Department of Finance",
        "agency_code": "000.00.01.H26",
        "agency_type": "department",
        "agency_level": "province",
        "province": "01",
    },
    "syt": {
        "title_en": "Department of Health",
        "agency_code": "000.00.02.H26",
        "agency_type": "department",
        "agency_level": "province",
        "province": "01",
    },
    "bnn": {
        "title_en": "Ministry of Agriculture and Environment",
        "agency_code": "000.00.00.G09",
        "agency_type": "ministry",
        "agency_level": "central",
    },
}

# The sets every expectation starts from (worked out from the table above).
PUBLIC_ACTIVE: frozenset[str] = frozenset(
    {
        "population-hanoi",
        "state-budget-2023",
        "bus-routes",
        "public-hospitals",
        "health-insurance",
        "rice-production",
        "rural-development",
        "land-map",
        "project-board",
        "agri-prices",
        "air-quality",
    }
)


@dataclass
class Corpus:
    """What the fixture built: ids to query by and the users to query as."""

    ids: dict[str, str]
    org_ids: dict[str, str]
    built_at: dt.datetime
    schema_fields: frozenset[str]


def dataset_schema_fields() -> frozenset[str]:
    """Field names of the scheming dataset schema, empty without scheming."""
    if not plugins.plugin_loaded("scheming_datasets"):
        return frozenset()
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema("dataset") or {}
    return frozenset(f["field_name"] for f in schema.get("dataset_fields", []))


def package_dict(
    dataset: CorpusDataset, org_id: str, schema_fields: frozenset[str]
) -> dict[str, Any]:
    """The package_create payload for one corpus dataset."""
    data: dict[str, Any] = {
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "owner_org": org_id,
        "private": dataset.private,
        "license_id": dataset.license_id,
        "groups": [{"name": g} for g in dataset.groups],
        "resources": [
            {
                "name": n,
                "description": d,
                "format": f,
                "url": f"https://example.vn/{dataset.name}/{i}",
            }
            for i, (n, d, f) in enumerate(dataset.resources)
        ],
        "extras": [{"key": k, "value": v} for k, v in dataset.extras.items()],
    }
    if dataset.state == "draft":
        data["state"] = "draft"
    if not schema_fields:
        data["tags"] = [{"name": t} for t in dataset.tags]
        return data
    title_en, notes_en = ENGLISH[dataset.name]
    data.update(
        {
            "title_translated": {"vi": dataset.title, "en": title_en},
            "notes_translated": {"vi": dataset.notes, "en": notes_en},
            "tag_string": ",".join(dataset.tags),
            "contact_name": "Trần Thị Mai",
            "contact_email": "lienhe@example.gov.vn",
            "sharing_class": dataset.sharing_class,
            "importance": "other",
            "personal_data": "none",
            "sector": dataset.sector,
            "provinces": list(dataset.provinces),
            "issued": "2018-01-01",
            "no_state_secret": True,
        }
    )
    if dataset.sharing_class != "open":
        data["legal_basis_number"] = "60/2024/QH15"
        data["legal_basis_article"] = "khoản 2 Điều 21"
    unknown = set(data) - schema_fields - CORE_FIELDS
    assert not unknown, f"the dataset schema lost fields the corpus uses: {unknown}"
    return data


# Core fields the corpus sets whether or not the schema lists them.
CORE_FIELDS = frozenset(
    {"name", "title", "notes", "owner_org", "private", "license_id", "groups"}
    | {"resources", "extras", "state", "tags"}
)


def _absolute(moment: dt.datetime | dt.timedelta, now: dt.datetime) -> dt.datetime:
    return now - moment if isinstance(moment, dt.timedelta) else moment


def _create_organization(name: str, title: str, users: list[dict[str, str]]) -> str:
    fields = dict(ORG_FIELDS[name])
    title_en = fields.pop("title_en")
    if plugins.plugin_loaded("scheming_organizations"):
        fields["title_translated"] = {"vi": title, "en": title_en}
    org = factories.Organization(name=name, title=title, users=users, **fields)
    return org["id"]


def build_corpus() -> Corpus:
    """Create users, organisations, groups and the datasets; index them."""
    sysadmin = factories.Sysadmin(name=SYSADMIN)
    factories.User(name=USER_A)
    factories.User(name=USER_B)
    org_ids = {
        "stc": _create_organization("stc", ORGS["stc"], [{"name": USER_A, "capacity": "editor"}]),
        "syt": _create_organization("syt", ORGS["syt"], [{"name": USER_B, "capacity": "member"}]),
        "bnn": _create_organization("bnn", ORGS["bnn"], []),
    }
    for group_name, group_title in GROUPS.items():
        factories.Group(name=group_name, title=group_title, user=sysadmin)

    schema_fields = dataset_schema_fields()
    context = {"user": SYSADMIN, "ignore_auth": False}
    ids: dict[str, str] = {}
    for dataset in CORPUS:
        created = call_action(
            "package_create",
            context=dict(context),
            **package_dict(dataset, org_ids[dataset.org], schema_fields),
        )
        ids[dataset.name] = created["id"]

    # Dates cannot be set through the action API (metadata_created is always
    # "now"): write them, then reindex through CKAN's own per-dataset path.
    now = dt.datetime.utcnow().replace(microsecond=0)
    for dataset in CORPUS:
        model.Session.execute(
            sa.update(model.package_table)
            .where(model.package_table.c.id == ids[dataset.name])
            .values(
                metadata_created=_absolute(dataset.created, now),
                metadata_modified=_absolute(dataset.modified, now),
            )
        )
    model.Session.commit()
    # CKAN's session does not expire objects on commit: drop the loaded
    # packages, or package_show would index their old dates.
    model.Session.expire_all()
    for dataset in CORPUS:
        if dataset.state != "deleted":
            search.rebuild(package_id=ids[dataset.name])

    for dataset in CORPUS:
        if dataset.state == "deleted":
            call_action("package_delete", context=dict(context), id=ids[dataset.name])
    model.Session.commit()
    return Corpus(ids=ids, org_ids=org_ids, built_at=now, schema_fields=schema_fields)
