"""Search semantics, table-driven, through the ``package_search`` action.

Independent of the implementation: every expectation is a list of dataset
names worked out by hand from the corpus in ``corpus.py`` and from CKAN's
documented search semantics (``logic/action/get.py:package_search``,
``lib/search/query.py``, the Solr schema shipped with CKAN):

- ``q`` without a colon is free text over the weighted fields, every word
  required; with a colon it is Lucene syntax with ``q.op=AND`` and ``df=text``;
- ``string`` fields (name, tags, groups, organization, res_format,
  license_id...) match exactly; ``text`` fields (title, notes, res_name,
  res_description, extras_*) match words;
- ``include_private`` defaults to False in the action, ``include_drafts``
  adds ``draft`` to the states, ``include_deleted`` finds nothing while
  ``ckan.search.remove_deleted_packages`` is on (the default);
- permission labels: public datasets for everyone, the others for members
  of the owning organisation, everything for sysadmins; counts and facet
  counts are computed after that filter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.tests.helpers import call_action

from search.corpus import PUBLIC_ACTIVE, SYSADMIN, USER_A, USER_B, Corpus, build_corpus

ANON = "anonymous"
USERS = {ANON: "", "a": USER_A, "b": USER_B, "admin": SYSADMIN}

PRIVATE_ACTIVE = ("household-business-tax", "vaccination-coverage", "forest-cover")
DRAFTS = ("public-investment-draft", "hospital-beds-draft")
PUB = tuple(sorted(PUBLIC_ACTIVE))
HA_NOI = ("population-hanoi", "state-budget-2023", "public-hospitals", "bus-routes")
BY_NAME_ASC = (
    "agri-prices",
    "air-quality",
    "bus-routes",
    "health-insurance",
    "land-map",
    "population-hanoi",
    "project-board",
    "public-hospitals",
    "rice-production",
    "rural-development",
    "state-budget-2023",
)
BY_MODIFIED_DESC = (
    "bus-routes",  # now - 9 min
    "air-quality",  # now - 1 h 59 min
    "health-insurance",  # now - 29 h 59 min
    "agri-prices",  # 2024-05-20
    "state-budget-2023",  # 2024-02-01
    "population-hanoi",  # 2024-01-10
    "public-hospitals",  # 2023-12-01
    "project-board",  # 2023-03-04
    "land-map",  # 2023-03-03
    "rice-production",  # 2022-09-01
    "rural-development",  # 2021-11-11
)
BY_CREATED_ASC = (
    "rural-development",  # 2018-08-08
    "rice-production",  # 2019-05-05
    "population-hanoi",  # 2020-03-15
    "public-hospitals",  # 2020-07-01
    "state-budget-2023",  # 2021-06-01
    "land-map",  # 2022-06-06
    "project-board",  # 2022-06-07
    "agri-prices",  # 2023-10-10
    "health-insurance",  # now - 30 h
    "air-quality",  # now - 2 h
    "bus-routes",  # now - 10 min
)
RECENT = ("bus-routes", "air-quality", "health-insurance")


@dataclass(frozen=True)
class Case:
    id: str
    params: dict[str, Any]
    expected: tuple[str, ...]
    user: str = ANON
    ordered: bool = False
    # A field of the project's scheming schema the case depends on.
    needs: str | None = None


def c(
    id: str,
    expected: tuple[str, ...] | list[str],
    user: str = ANON,
    ordered: bool = False,
    needs: str | None = None,
    **params: Any,
) -> Case:
    return Case(id, params, tuple(expected), user, ordered, needs)


def minus(base: tuple[str, ...], *names: str) -> tuple[str, ...]:
    return tuple(n for n in base if n not in names)


# q/fq strings may hold {id:<dataset name>} and {org:<org name>}, replaced by
# the ids the corpus got.
CASES: list[Case] = [
    # --- free text, Vietnamese folding --------------------------------------
    c("text-ha-noi-folded", HA_NOI, q="ha noi"),
    c("text-Ha-Noi-capitalised", HA_NOI, q="Ha Noi"),
    c("text-HA-NOI-upper-diacritics", HA_NOI, q="HÀ NỘI"),
    c("text-ha-noi-exact", HA_NOI, q="Hà Nội"),
    c(
        "text-ha-noi-sysadmin-private",
        (*HA_NOI, "household-business-tax"),
        user="admin",
        q="ha noi",
        include_private=True,
    ),
    c("text-dan-so-folded", ("population-hanoi",), q="dan so"),
    c("text-dan-so-exact", ("population-hanoi",), q="dân số"),
    c("text-private-word-hidden-from-anonymous", (), q="tiêm chủng", include_private=True),
    c(
        "text-private-word-for-member",
        ("vaccination-coverage",),
        user="b",
        q="tiêm chủng",
        include_private=True,
    ),
    c("text-private-word-other-org", (), user="a", q="tiêm chủng", include_private=True),
    c("text-english-word", ("air-quality",), q="monitoring"),
    c("text-resource-name-words", ("air-quality",), q="quan trắc"),
    c("text-resource-description-words", ("state-budget-2023",), q="Dịch vụ"),
    c(
        "text-organization-name",
        ("rice-production", "rural-development", "land-map", "project-board", "agri-prices")
        + ("air-quality",),
        q="bnn",
    ),
    c("text-group-name", ("population-hanoi", "public-hospitals", "health-insurance"), q="society"),
    c("text-no-match", (), q="xyzzyquux"),
    c("text-empty-q-is-all", PUB, q=""),
    c("text-negated-word", ("public-hospitals",), q='"y tế" -bảo'),
    # --- phrases ------------------------------------------------------------
    c("phrase-vietnamese", ("population-hanoi",), q='"dân số"'),
    c("phrase-reversed-words", (), q='"số dân"'),
    c("phrase-english", ("air-quality",), q='"air quality"'),
    c("phrase-english-reversed", (), q='"quality air"'),
    c("phrase-three-words", ("land-map",), q='"quy hoạch đất"'),
    c("phrase-three-words-folded", ("land-map",), q='"quy hoach dat"'),
    # --- prefix wildcards ---------------------------------------------------
    c("prefix-diacritics", ("rice-production", "rural-development", "agri-prices"), q="nông*"),
    c("prefix-folded", ("rice-production", "rural-development", "agri-prices"), q="nong*"),
    c("prefix-title", ("rural-development", "agri-prices"), q="title:nông*"),
    c(
        "prefix-tags-string-field",
        ("rice-production", "rural-development", "agri-prices"),
        q="tags:nông*",
    ),
    # --- field:value / field:"phrase" ---------------------------------------
    c("field-tag-phrase", ("public-hospitals", "health-insurance"), q='tags:"y tế"'),
    c("field-tag-in-fq", ("land-map", "project-board"), fq='tags:"quy hoạch"'),
    c(
        "field-organization",
        ("population-hanoi", "state-budget-2023", "bus-routes"),
        q="organization:stc",
    ),
    c(
        "field-owner-org",
        ("population-hanoi", "state-budget-2023", "bus-routes"),
        fq="owner_org:{org:stc}",
    ),
    c(
        "field-groups",
        ("population-hanoi", "public-hospitals", "health-insurance"),
        q="groups:society",
    ),
    c(
        "field-groups-in-fq",
        ("state-budget-2023", "rice-production", "health-insurance"),
        fq="groups:economy",
    ),
    c("field-res-format", ("state-budget-2023", "rice-production"), q="res_format:JSON"),
    c("field-res-format-quoted", ("public-hospitals", "bus-routes"), fq='res_format:"GeoJSON"'),
    c("field-res-name-phrase", ("bus-routes",), q='res_name:"Lộ trình"'),
    c("field-res-name-word", ("rice-production",), q="res_name:lúa"),
    c("field-res-description", ("state-budget-2023",), q='res_description:"Dịch vụ dữ liệu"'),
    c("field-license-id", ("rural-development",), q='license_id:"CC0-1.0"'),
    c("field-license-id-fq", ("state-budget-2023", "air-quality"), fq="license_id:ODbL-1.0"),
    c("field-name", ("land-map",), q="name:land-map"),
    c("field-id", ("project-board",), q="id:{id:project-board}"),
    c("field-title-phrase", ("rural-development",), q='title:"nông thôn"'),
    c("field-notes-phrase", ("state-budget-2023", "public-hospitals"), q='notes:"Hà Nội"'),
    c("field-dataset-type", PUB, q="dataset_type:dataset"),
    c("field-dataset-type-negated-dcat", PUB, fq="-dataset_type:harvest"),
    c("field-type", PUB, q="type:dataset"),
    c("field-state-active", PUB, q="state:active"),
    c("field-capacity-public", PUB, user="admin", include_private=True, fq="capacity:public"),
    c(
        "field-capacity-private",
        PRIVATE_ACTIVE,
        user="admin",
        include_private=True,
        q="capacity:private",
    ),
    c("field-text-explicit", ("air-quality",), q="text:monitoring"),
    c("field-and-free-text-mixed", ("public-hospitals",), q="bệnh viện organization:syt"),
    c("field-permission-labels-public", PUB, user="admin", fq="permission_labels:public"),
    c(
        "field-permission-labels-hidden-from-anonymous",
        (),
        include_private=True,
        fq='permission_labels:"member-{org:stc}"',
    ),
    c(
        "field-permission-labels-member",
        ("household-business-tax",),
        user="a",
        include_private=True,
        fq='permission_labels:"member-{org:stc}"',
    ),
    c("field-num-resources-zero", ("rural-development",), q="num_resources:0"),
    c("field-num-tags-one", ("rural-development", "project-board", "bus-routes"), q="num_tags:1"),
    c("field-exists-res-format", minus(PUB, "rural-development"), q="res_format:*"),
    c("field-exists-negated", ("rural-development",), q="organization:bnn -res_format:*"),
    c(
        "field-extras-exists",
        ("population-hanoi", "state-budget-2023", "public-hospitals"),
        q="extras_update_note:*",
    ),
    c(
        "field-extras-word",
        ("population-hanoi", "public-hospitals"),
        q="extras_update_note:năm",
    ),
    # --- the project's scheming fields (multi-valued) ------------------------
    c(
        "scheming-provinces-one-code",
        ("population-hanoi", "state-budget-2023", "public-hospitals", "bus-routes"),
        needs="provinces",
        q='provinces:"01"',
    ),
    c(
        "scheming-provinces-second-value",
        ("public-hospitals", "rice-production", "agri-prices"),
        needs="provinces",
        fq="provinces:79",
    ),
    c(
        "scheming-provinces-and-sector",
        ("rural-development",),
        needs="sector",
        q='provinces:"38" AND sector:agriculture',
    ),
    c("scheming-sharing-class-open", PUB, needs="sharing_class", q="sharing_class:open"),
    c(
        "scheming-sharing-class-restricted",
        PRIVATE_ACTIVE,
        user="admin",
        needs="sharing_class",
        include_private=True,
        fq="sharing_class:restricted",
    ),
    # --- numeric ranges -----------------------------------------------------
    c(
        "range-num-resources-open-ended",
        ("state-budget-2023", "public-hospitals", "rice-production", "agri-prices")
        + ("health-insurance",),
        q="num_resources:[2 TO *]",
    ),
    c(
        "range-num-resources-exclusive",
        ("public-hospitals", "rice-production", "health-insurance"),
        q="num_resources:{1 TO 3}",
    ),
    c(
        "range-num-resources-inclusive",
        minus(PUB, "rural-development"),
        fq="num_resources:[1 TO 3]",
    ),
    c(
        "range-num-tags-single-value",
        minus(PUB, "rural-development", "project-board", "bus-routes"),
        q="num_tags:[2 TO 2]",
    ),
    # --- date ranges and date math -------------------------------------------
    c(
        "range-date-inclusive",
        ("population-hanoi", "public-hospitals", "state-budget-2023"),
        q="metadata_created:[2020-01-01T00:00:00Z TO 2021-12-31T23:59:59Z]",
    ),
    c(
        "range-date-exclusive-bounds",
        ("public-hospitals",),
        q="metadata_created:{2020-03-15T08:00:00Z TO 2021-06-01T08:00:00Z}",
    ),
    c(
        "range-date-inclusive-bounds",
        ("population-hanoi", "public-hospitals", "state-budget-2023"),
        q="metadata_created:[2020-03-15T08:00:00Z TO 2021-06-01T08:00:00Z]",
    ),
    c(
        "range-date-now-1day",
        ("bus-routes", "air-quality"),
        fq="metadata_created:[NOW-1DAY TO NOW]",
    ),
    c("range-date-now-2days-open", RECENT, fq="metadata_created:[NOW-2DAYS TO *]"),
    c("range-date-rounded-day", RECENT, q="metadata_created:[NOW/DAY-3DAYS TO *]"),
    c(
        "range-date-rounded-day-upper-exclusive",
        minus(PUB, *RECENT),
        q="metadata_created:[* TO NOW/DAY-3DAYS}",
    ),
    c(
        "range-modified-dcat-style",
        ("population-hanoi", "state-budget-2023", "agri-prices", *RECENT),
        fq="metadata_modified:[2024-01-01T00:00:00Z TO NOW]",
    ),
    c(
        "range-modified-before",
        ("rural-development",),
        q="metadata_modified:[* TO 2022-01-01T00:00:00Z]",
    ),
    # --- boolean operators and parentheses ------------------------------------
    c("bool-and", ("public-hospitals", "health-insurance"), q='tags:"y tế" AND organization:syt'),
    c(
        "bool-or",
        ("population-hanoi", "state-budget-2023", "bus-routes", "public-hospitals")
        + ("health-insurance",),
        q="organization:stc OR organization:syt",
    ),
    c(
        "bool-and-not",
        ("rural-development", "land-map", "project-board"),
        q="organization:bnn AND NOT res_format:CSV",
    ),
    c(
        "bool-plus-minus",
        ("rice-production", "rural-development", "agri-prices", "air-quality"),
        q='+organization:bnn -tags:"quy hoạch"',
    ),
    c(
        "bool-parentheses-or-and",
        ("health-insurance",),
        q="(groups:society OR groups:economy) AND res_format:PDF",
    ),
    c(
        "bool-and-parentheses",
        ("agri-prices", "rural-development"),
        q='organization:bnn AND (tags:"nông sản" OR tags:"nông thôn")',
    ),
    c(
        "bool-pure-negative",
        ("population-hanoi", "state-budget-2023", "bus-routes", "public-hospitals")
        + ("health-insurance",),
        q="NOT organization:bnn",
    ),
    c("bool-text-and-fq", ("land-map",), q="quy hoạch", fq='tags:"đất đai"'),
    c(
        "bool-fq-list",
        ("rice-production", "agri-prices", "air-quality"),
        fq_list=["organization:bnn", "res_format:CSV"],
    ),
    # --- visibility: include_* and permission labels ---------------------------
    c("labels-anonymous", PUB, q="*:*"),
    c("labels-anonymous-include-private", PUB, include_private=True),
    c("labels-anonymous-include-all", PUB, include_private=True, include_drafts=True),
    c("labels-org-a-default", PUB, user="a"),
    c("labels-org-a-private", (*PUB, "household-business-tax"), user="a", include_private=True),
    c("labels-org-a-drafts", (*PUB, "public-investment-draft"), user="a", include_drafts=True),
    c(
        "labels-org-a-private-drafts",
        (*PUB, "household-business-tax", "public-investment-draft"),
        user="a",
        include_private=True,
        include_drafts=True,
    ),
    c("labels-org-b-private", (*PUB, "vaccination-coverage"), user="b", include_private=True),
    c(
        "labels-org-b-private-drafts",
        (*PUB, "vaccination-coverage", "hospital-beds-draft"),
        user="b",
        include_private=True,
        include_drafts=True,
    ),
    c(
        "labels-org-a-other-org-filter",
        ("public-hospitals", "health-insurance"),
        user="a",
        include_private=True,
        q="organization:syt",
    ),
    c("labels-sysadmin-default-no-private", PUB, user="admin"),
    c("labels-sysadmin-private", (*PUB, *PRIVATE_ACTIVE), user="admin", include_private=True),
    c(
        "labels-sysadmin-everything",
        (*PUB, *PRIVATE_ACTIVE, *DRAFTS),
        user="admin",
        include_private=True,
        include_drafts=True,
        include_deleted=True,
    ),
    c(
        "labels-deleted-not-indexed",
        (),
        user="admin",
        include_deleted=True,
        q="name:old-land-prices",
    ),
    c("labels-deleted-text-not-found", (), user="admin", include_deleted=True, q="giá đất"),
    c("labels-state-draft-sysadmin", DRAFTS, user="admin", fq="+state:draft"),
    c("labels-state-draft-member", ("public-investment-draft",), user="a", fq="+state:draft"),
    c("labels-state-draft-anonymous", (), fq="+state:draft"),
    # --- sorting ------------------------------------------------------------
    c("sort-default-is-modified-desc", BY_MODIFIED_DESC, ordered=True, q="*:*"),
    c("sort-modified-desc", BY_MODIFIED_DESC, ordered=True, sort="metadata_modified desc"),
    c("sort-created-asc", BY_CREATED_ASC, ordered=True, sort="metadata_created asc"),
    c("sort-name-asc", BY_NAME_ASC, ordered=True, sort="name asc"),
    c("sort-name-desc", tuple(reversed(BY_NAME_ASC)), ordered=True, sort="name desc"),
    c(
        "sort-title-string-asc",
        ("health-insurance", "public-hospitals", "population-hanoi", "state-budget-2023")
        + ("bus-routes",),
        ordered=True,
        fq="organization:stc OR organization:syt",
        sort="title_string asc",
    ),
    c(
        "sort-title-string-desc",
        ("bus-routes", "state-budget-2023", "population-hanoi", "public-hospitals")
        + ("health-insurance",),
        ordered=True,
        fq="organization:stc OR organization:syt",
        sort="title_string desc",
    ),
    c(
        "sort-modified-asc-with-private",
        ("population-hanoi", "state-budget-2023", "household-business-tax", "bus-routes"),
        user="a",
        ordered=True,
        include_private=True,
        fq="organization:stc",
        sort="metadata_modified asc",
    ),
    c(
        "sort-two-keys",
        ("state-budget-2023", "public-hospitals", "bus-routes", "population-hanoi"),
        ordered=True,
        q="ha noi",
        sort="num_resources desc, name asc",
    ),
    # --- paging -------------------------------------------------------------
    c("page-first", BY_NAME_ASC[0:3], ordered=True, sort="name asc", rows=3, start=0),
    c("page-second", BY_NAME_ASC[3:6], ordered=True, sort="name asc", rows=3, start=3),
    c("page-last-partial", BY_NAME_ASC[9:], ordered=True, sort="name asc", rows=5, start=9),
]


def _resolve(value: Any, corpus: Corpus) -> Any:
    if isinstance(value, list):
        return [_resolve(v, corpus) for v in value]
    if not isinstance(value, str):
        return value

    def sub(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        return corpus.ids[name] if kind == "id" else corpus.org_ids[name]

    return re.sub(r"\{(id|org):([a-z0-9-]+)\}", sub, value)


def search_as(user: str, corpus: Corpus, **params: Any) -> dict[str, Any]:
    resolved = {k: _resolve(v, corpus) for k, v in params.items()}
    context = {"user": USERS[user], "ignore_auth": False}
    return call_action("package_search", context=context, **resolved)


def names(result: dict[str, Any]) -> list[str]:
    return [r["name"] for r in result["results"]]


@pytest.fixture(scope="module")
def corpus(reset_database: Any) -> Iterator[Corpus]:
    reset_database()
    yield build_corpus()


def _require_schema_field(case_needs: str | None, corpus: Corpus) -> None:
    # A case about a schema field must fail, not pass vacuously, when the
    # field leaves the schema.
    if case_needs is not None:
        assert case_needs in corpus.schema_fields, f"the dataset schema lost {case_needs!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_query(case: Case, corpus: Corpus) -> None:
    _require_schema_field(case.needs, corpus)
    params = dict(case.params)
    params.setdefault("rows", 1000)
    result = search_as(case.user, corpus, **params)
    found = names(result)
    if case.ordered:
        assert found == list(case.expected)
    else:
        assert sorted(found) == sorted(case.expected)
        if "start" not in params:
            assert result["count"] == len(case.expected)
    if "start" in params:
        assert result["count"] == len(PUB)


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# --- ranking ----------------------------------------------------------------

RANKING: list[tuple[str, str, str, str]] = [
    # (id, q, ranked higher, ranked lower)
    ("title-above-notes-ha-noi", "Hà Nội", "population-hanoi", "state-budget-2023"),
    ("title-above-notes-ha-noi-2", "Hà Nội", "population-hanoi", "public-hospitals"),
    ("title-above-notes-lua", "lúa", "rice-production", "agri-prices"),
    ("exact-diacritics-above-folded-ha-noi", "Hà Nội", "population-hanoi", "bus-routes"),
    ("exact-diacritics-above-folded-ban-do", "bản", "land-map", "project-board"),
    ("exact-plain-above-folded-ban", "ban", "project-board", "land-map"),
]


@pytest.mark.parametrize("q,higher,lower", [r[1:] for r in RANKING], ids=[r[0] for r in RANKING])
def test_ranking(q: str, higher: str, lower: str, corpus: Corpus) -> None:
    found = names(search_as(ANON, corpus, q=q, rows=100))
    assert higher in found and lower in found, found
    assert found.index(higher) < found.index(lower), found


def test_ranking_is_the_default_sort_and_score_desc_is_the_same(corpus: Corpus) -> None:
    default = names(search_as(ANON, corpus, q="Hà Nội", rows=100))
    explicit = names(
        search_as(ANON, corpus, q="Hà Nội", sort="score desc, metadata_modified desc", rows=100)
    )
    assert default == explicit
    assert sorted(default) == sorted(HA_NOI)


# --- paging edges -------------------------------------------------------------


def test_paging_past_the_end_keeps_the_count(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, sort="name asc", rows=5, start=20)
    assert result["results"] == []
    assert result["count"] == len(PUB)


def test_rows_zero_counts_only(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, q="nông*", rows=0)
    assert result["results"] == []
    assert result["count"] == 3


def test_default_rows_is_ten(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, sort="name asc")
    assert names(result) == list(BY_NAME_ASC[:10])
    assert result["count"] == len(PUB)


@pytest.mark.parametrize("sort", ["organization asc", "license_id desc", "num_resources asc"])
def test_ties_break_deterministically_across_pages(sort: str, corpus: Corpus) -> None:
    full = names(search_as(ANON, corpus, sort=sort, rows=100))
    again = names(search_as(ANON, corpus, sort=sort, rows=100))
    assert full == again
    paged: list[str] = []
    for start in range(0, len(PUB), 2):
        paged += names(search_as(ANON, corpus, sort=sort, rows=2, start=start))
    assert paged == full
    assert sorted(full) == sorted(PUB)


def test_sort_on_organization_groups_by_organization(corpus: Corpus) -> None:
    found = names(search_as(ANON, corpus, sort="organization asc", rows=100))
    bnn = {"rice-production", "rural-development", "land-map", "project-board", "agri-prices"}
    assert set(found[:6]) == bnn | {"air-quality"}
    assert set(found[6:9]) == {"population-hanoi", "state-budget-2023", "bus-routes"}
    assert set(found[9:]) == {"public-hospitals", "health-insurance"}


# --- facets -------------------------------------------------------------------

ALL_TAGS = {
    "dân số": 1,
    "thống kê": 1,
    "ngân sách": 1,
    "tài chính": 1,
    "y tế": 2,
    "bệnh viện": 1,
    "nông nghiệp": 1,
    "lúa gạo": 1,
    "nông thôn": 1,
    "đất đai": 1,
    "quy hoạch": 2,
    "nông sản": 1,
    "giá cả": 1,
    "giao thông": 1,
    "bảo hiểm": 1,
    "môi trường": 1,
    "không khí": 1,
}


@dataclass(frozen=True)
class FacetCase:
    id: str
    params: dict[str, Any]
    expected: dict[str, dict[str, int]]
    user: str = ANON
    needs: str | None = None
    # Facet fields whose value order is part of the expectation.
    ordered: tuple[str, ...] = field(default=())


FACET_CASES: list[FacetCase] = [
    FacetCase(
        "organization",
        {"facet.field": ["organization"]},
        {"organization": {"bnn": 6, "stc": 3, "syt": 2}},
    ),
    FacetCase("groups", {"facet.field": '["groups"]'}, {"groups": {"economy": 3, "society": 3}}),
    FacetCase("tags-all", {"facet.field": ["tags"], "facet.limit": -1}, {"tags": ALL_TAGS}),
    FacetCase(
        "res-format-counts-datasets-not-resources",
        {"facet.field": ["res_format"]},
        {"res_format": {"CSV": 7, "JSON": 2, "GeoJSON": 2, "PDF": 2, "XLSX": 1, "SHP": 1}},
    ),
    FacetCase(
        "license-id",
        {"facet.field": ["license_id"]},
        {"license_id": {"CC-BY-4.0": 7, "ODbL-1.0": 2, "CC0-1.0": 1, "vn-agency-terms": 1}},
    ),
    FacetCase(
        "several-fields-at-once",
        {"facet.field": ["organization", "groups"]},
        {"organization": {"bnn": 6, "stc": 3, "syt": 2}, "groups": {"economy": 3, "society": 3}},
    ),
    FacetCase(
        "mincount",
        {"facet.field": ["tags"], "facet.mincount": 2},
        {"tags": {"quy hoạch": 2, "y tế": 2}},
    ),
    FacetCase(
        "limit-keeps-top-counts",
        {"facet.field": ["organization"], "facet.limit": 2},
        {"organization": {"bnn": 6, "stc": 3}},
    ),
    FacetCase(
        "limit-one", {"facet.field": ["res_format"], "facet.limit": 1}, {"res_format": {"CSV": 7}}
    ),
    FacetCase(
        "sort-count",
        {"facet.field": ["organization"], "facet.sort": "count"},
        {"organization": {"bnn": 6, "stc": 3, "syt": 2}},
        ordered=("organization",),
    ),
    FacetCase(
        "sort-index",
        {"facet.field": ["res_format"], "facet.sort": "index", "facet.limit": 3},
        {"res_format": {"CSV": 7, "GeoJSON": 2, "JSON": 2}},
        ordered=("res_format",),
    ),
    FacetCase(
        "over-the-query-result",
        {"q": "nông*", "facet.field": ["organization", "tags"]},
        {
            "organization": {"bnn": 3},
            "tags": {"nông nghiệp": 1, "lúa gạo": 1, "nông thôn": 1, "nông sản": 1, "giá cả": 1},
        },
    ),
    FacetCase(
        "anonymous-include-private-sees-no-private-counts",
        {"facet.field": ["organization", "tags"], "include_private": True, "facet.limit": -1},
        {"organization": {"bnn": 6, "stc": 3, "syt": 2}, "tags": ALL_TAGS},
    ),
    FacetCase(
        "org-a-member-counts",
        {"facet.field": ["organization"], "include_private": True, "include_drafts": True},
        {"organization": {"bnn": 6, "stc": 5, "syt": 2}},
        user="a",
    ),
    FacetCase(
        "org-b-member-counts",
        {"facet.field": ["organization", "groups"], "include_private": True},
        {"organization": {"bnn": 6, "stc": 3, "syt": 3}, "groups": {"economy": 3, "society": 4}},
        user="b",
    ),
    FacetCase(
        "org-b-member-tag-count",
        {"q": 'tags:"y tế"', "facet.field": ["tags"], "include_private": True},
        {"tags": {"y tế": 3, "bệnh viện": 1, "bảo hiểm": 1, "tiêm chủng": 1}},
        user="b",
    ),
    FacetCase(
        "org-a-member-does-not-count-org-b-private",
        {"q": 'tags:"y tế"', "facet.field": ["tags"], "include_private": True},
        {"tags": {"y tế": 2, "bệnh viện": 1, "bảo hiểm": 1}},
        user="a",
    ),
    FacetCase(
        "sysadmin-counts",
        {"facet.field": ["organization"], "include_private": True, "include_drafts": True},
        {"organization": {"bnn": 7, "stc": 5, "syt": 4}},
        user="admin",
    ),
    FacetCase(
        "scheming-provinces-multi-valued",
        {"facet.field": ["provinces"]},
        {"provinces": {"01": 4, "79": 3, "38": 3, "48": 2, "40": 1, "75": 1, "31": 1}},
        needs="provinces",
    ),
    FacetCase(
        "scheming-sector",
        {"facet.field": ["sector"]},
        {
            "sector": {
                "agriculture": 3,
                "health": 2,
                "environment": 2,
                "society": 1,
                "finance": 1,
                "infrastructure": 1,
                "government": 1,
            }
        },
        needs="sector",
    ),
    FacetCase(
        "scheming-sharing-class",
        {"facet.field": ["sharing_class"], "include_private": True},
        {"sharing_class": {"open": 11, "restricted": 3}},
        user="admin",
        needs="sharing_class",
    ),
]


@pytest.mark.parametrize("case", FACET_CASES, ids=[case.id for case in FACET_CASES])
def test_facets(case: FacetCase, corpus: Corpus) -> None:
    _require_schema_field(case.needs, corpus)
    result = search_as(case.user, corpus, rows=0, **case.params)
    assert result["facets"] == case.expected
    for facet_name in case.ordered:
        assert list(result["facets"][facet_name]) == list(case.expected[facet_name])
    for facet_name, counts in case.expected.items():
        items = result["search_facets"][facet_name]["items"]
        assert {i["name"]: i["count"] for i in items} == counts


def test_facet_count_totals_match_the_count(corpus: Corpus) -> None:
    for user, flags in [
        (ANON, {}),
        ("a", {"include_private": True}),
        ("admin", {"include_private": True}),
    ]:
        result = search_as(user, corpus, rows=0, **{"facet.field": ["organization"]}, **flags)
        assert sum(result["facets"]["organization"].values()) == result["count"]


def test_organization_facet_has_display_names(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, rows=0, **{"facet.field": ["organization"]})
    items = {i["name"]: i["display_name"] for i in result["search_facets"]["organization"]["items"]}
    assert items == {"stc": "Sở Tài chính", "syt": "Sở Y tế", "bnn": "Bộ Nông nghiệp và Môi trường"}


def test_no_facet_field_no_facets(corpus: Corpus) -> None:
    assert search_as(ANON, corpus, rows=0)["facets"] == {}


# --- fl -------------------------------------------------------------------------


def test_fl_single_field(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, sort="name asc", rows=2, fl="name")
    assert result["results"] == [{"name": "agri-prices"}, {"name": "air-quality"}]


def test_fl_two_fields(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, q="name:land-map", fl=["id", "name"])
    assert result["results"] == [{"id": corpus.ids["land-map"], "name": "land-map"}]


def test_fl_extras_come_back_without_prefix(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, q="name:population-hanoi", fl=["name", "extras_update_note"])
    assert result["results"] == [{"name": "population-hanoi", "update_note": "hằng năm"}]


def test_fl_validated_data_dict_is_package_show(corpus: Corpus) -> None:
    result = search_as(ANON, corpus, q="name:state-budget-2023", fl=["validated_data_dict"])
    [row] = result["results"]
    stored = json.loads(row["validated_data_dict"])
    shown = call_action(
        "package_show", context={"user": SYSADMIN, "use_cache": False}, id="state-budget-2023"
    )
    assert stored == shown


def test_full_results_are_package_dicts(corpus: Corpus) -> None:
    [dataset] = search_as(ANON, corpus, q="name:state-budget-2023")["results"]
    assert dataset["organization"]["name"] == "stc"
    assert [r["format"] for r in dataset["resources"]] == ["XLSX", "CSV", "JSON"]
    assert sorted(t["name"] for t in dataset["tags"]) == ["ngân sách", "tài chính"]
    assert dataset["num_resources"] == 3


# --- errors ---------------------------------------------------------------------

# (id, parameters, a fragment a clear message names: the feature or the input)
BAD_QUERIES: list[tuple[str, dict[str, str], str]] = [
    ("unbalanced-parenthesis", {"q": "title:(nông"}, "title:(nông"),
    ("unbalanced-quote-in-fielded-query", {"q": 'title:"dân số'}, "dân số"),
    ("fuzzy-query", {"q": "title:nông~1"}, "~"),
    ("regex-query", {"q": "title:/nô.*/"}, "regular expression"),
    ("bad-sort-direction", {"sort": "name sideways"}, "sort"),
    ("bad-date-math", {"fq": "metadata_created:[NOW-1FOO TO NOW]"}, "foo"),
    ("not-a-date", {"fq": "metadata_created:[hôm qua TO NOW]"}, "qua"),
    ("unknown-parameter", {"q": "*:*", "colour": "blue"}, "colour"),
]


@pytest.mark.parametrize(
    "params,fragment", [b[1:] for b in BAD_QUERIES], ids=[b[0] for b in BAD_QUERIES]
)
def test_unsupported_syntax_is_a_400(
    params: dict[str, str], fragment: str, app: Any, corpus: Corpus
) -> None:
    response = app.get("/api/3/action/package_search", query_string=params)
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    message = body["error"]["message"]
    assert message.startswith("Search Query is invalid")
    assert fragment in message.lower(), message


@pytest.mark.parametrize("q", ["title:(nông", "title:nông~1", "metadata_created:[NOW-1FOO TO NOW]"])
def test_unsupported_syntax_raises_search_query_error(q: str, corpus: Corpus) -> None:
    with pytest.raises(SearchQueryError) as error:
        search_as(ANON, corpus, q=q)
    assert str(error.value)


@pytest.mark.parametrize("q", ["{!lucene}title:nông", "_query_:title", "title:x AND _val_:1"])
def test_solr_local_params_and_magic_fields_are_refused(q: str, corpus: Corpus) -> None:
    # CKAN itself refuses these with a SearchError (409 through the API).
    with pytest.raises(SearchError):
        search_as(ANON, corpus, q=q)


def test_api_answers_the_same_as_the_action(app: Any, corpus: Corpus) -> None:
    response = app.get(
        "/api/3/action/package_search",
        query_string={"q": "ha noi", "rows": 100, "facet.field": '["organization"]'},
    )
    assert response.status_code == 200
    result = response.json["result"]
    assert sorted(names(result)) == sorted(HA_NOI)
    assert result["count"] == 4
    assert result["facets"]["organization"] == {"stc": 3, "syt": 1}
