"""Code lists and the Vietnamese slug rule."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ckanext.vnopendata import codelists
from ckanext.vnopendata.sharing import classes
from ckanext.vnopendata.slug import slugify

SLUG_JS = Path(codelists.__file__).parent / "assets" / "slug.js"

SLUG_CASES = {
    "Bộ dữ liệu thống kê số 0": "bo-du-lieu-thong-ke-so-0",
    "Đường ĐT-741, Đắk Lắk": "duong-dt-741-dak-lak",
    "Ủy ban nhân dân Thành phố Hồ Chí Minh": "uy-ban-nhan-dan-thanh-pho-ho-chi-minh",
    "  Giá đất ở (2025) -- bảng 1  ": "gia-dat-o-2025-bang-1",
    "Thừa Thiên Huế; Quảng Trị & Quảng Bình": "thua-thien-hue-quang-tri-quang-binh",
    "CSDL_DanCu": "csdl-dancu",
    "Ỹ ỵ ữ ự ỡ ợ ẳ ặ": "y-y-u-u-o-o-a-a",
}


@pytest.mark.parametrize(("text", "slug"), SLUG_CASES.items())
def test_slugify_folds_vietnamese(text, slug):
    assert slugify(text) == slug


def test_slugs_are_capped_at_ckan_name_length():
    assert len(slugify("dữ liệu " * 40)) <= 100
    assert not slugify("dữ liệu " * 40).endswith("-")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_form_preview_slugifies_exactly_like_the_server():
    script = (
        f"const s = require({json.dumps(str(SLUG_JS))});"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map(c => s.slugify(c))));"
    )
    texts = [*SLUG_CASES, "dữ liệu " * 40]
    output = subprocess.run(
        ["node", "-e", script, json.dumps(texts)], capture_output=True, text=True, check=True
    )
    assert json.loads(output.stdout) == [slugify(text) for text in texts]


def test_34_provinces_with_string_codes_and_the_63_former_ones_mapped():
    provinces = codelists.get("provinces")
    former = codelists.get("former_provinces")
    assert len(provinces.items) == 34 and len(former.items) == 63
    assert "01" in provinces and 1 not in provinces
    assert codelists.province_for_former_code("74") == "79"  # Bình Dương
    assert codelists.province_for_former_code("02") == "08"  # Hà Giang
    for item in former.items:
        assert item.extra["successor"] in provinces
    for item in provinces.items:
        merged = {f.code for f in former.items if f.extra["successor"] == item.code}
        assert set(item.extra["merged_from"]) <= merged


@pytest.mark.parametrize("name", codelists.names())
def test_every_code_list_has_its_source_and_bilingual_labels(name):
    codelist = codelists.get(name)
    assert codelist.source and codelist.version and codelist.date
    assert len(set(codelist.codes)) == len(codelist.codes)
    for item in codelist.items:
        assert set(item.label) == {"vi", "en"}, item
        assert all(isinstance(text, str) and text for text in item.label.values()), item


def test_sectors_map_to_the_eu_data_themes():
    eu_themes = {"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST"}
    eu_themes |= {"REGI", "SOCI", "TECH", "TRAN", "OP_DATPRO"}
    assert {item.extra["eu_theme"] for item in codelists.get("sectors").items} <= eu_themes


def test_sharing_classes_map_to_eu_access_rights():
    rights = {c.key: c.access_right_iri.rsplit("/", 1)[1] for c in classes.SHARING_CLASSES}
    # The project's `restricted` is the EU NON_PUBLIC, `inter_agency` EU RESTRICTED.
    assert rights == {"open": "PUBLIC", "inter_agency": "RESTRICTED", "restricted": "NON_PUBLIC"}
    assert codelists.get("sharing_classes").codes == ["open", "inter_agency", "restricted"]
    assert classes.must_be_private(None) and classes.must_be_private("bogus")
    assert not classes.must_be_private("open")


# What the headers say is verified, and from where ------------------------------


@pytest.mark.parametrize("name", codelists.names())
def test_every_code_list_says_how_sure_it_is(name):
    codelist = codelists.get(name)
    assert codelist.extra.get("confidence"), name
    assert codelist.source_url.startswith(("http://", "https://")), name


def test_the_ndop_carries_its_name_from_the_law_on_data():
    # Khoản 11 Điều 3 Luật Dữ liệu: "Nền tảng chia sẻ, điều phối dữ liệu".
    ndop = codelists.get("platforms").by_code["ndop"]
    assert ndop.label["vi"] == "Nền tảng chia sẻ, điều phối dữ liệu (NDOP)"
    assert "Art 3(11)" in codelists.get("platforms").source


def test_the_fee_list_describes_art_38_per_requester_type():
    fees = codelists.get("fees")
    assert "National General Database" in fees.source
    assert "data products" not in fees.source
    assert fees.codes == ["free", "statutory_fee"]
    requesters = {entry["code"]: entry for entry in fees.extra["requester_types"]}
    assert {code: entry["fee"] for code, entry in requesters.items()} == {
        "state_body": "free",
        "data_subject": "free",
        "other": None,
    }
    assert requesters["other"]["citation"] == {
        "vi": "khoản 3 Điều 38 Luật Dữ liệu",
        "en": "Law on Data, Art 38(3)",
    }


def test_former_provinces_date_decision_124_and_record_hue_city():
    former = codelists.get("former_provinces")
    assert former.date == "2004-07-08"
    assert "8 July 2004" in former.source
    hue = former.by_code["46"]
    assert hue.label["vi"] == "Thành phố Huế"
    assert hue.extra["former_name"] == {
        "vi": "Tỉnh Thừa Thiên Huế",
        "en": "Thua Thien Hue Province",
        "until": "2024-12-31",
        "changed_by": "175/2024/QH15",
    }
    # Not merged in 2025: still its own unit, code 46.
    assert codelists.province_for_former_code("46") == "46"
    assert codelists.get("provinces").by_code["46"].label["vi"] == "Thành phố Huế"


def test_sector_labels_translate_without_adding_words():
    sectors = codelists.get("sectors")
    assert sectors.by_code["infrastructure"].label == {
        "vi": "Cơ sở hạ tầng",
        "en": "Infrastructure",
    }
    assert sectors.by_code["technology"].label == {"vi": "Công nghệ", "en": "Technology"}
    assert "Báo Chính phủ on 28/7/2022" in sectors.source
    assert "single secondary source" in sectors.source


def test_agency_levels_and_types_cite_what_supports_them():
    levels = codelists.get("agency_levels")
    assert "Project list" in levels.source and "19/2025" in levels.source
    assert levels.by_code["central"].extra.get("project_addition") is True
    types = codelists.get("agency_types")
    assert "luat-du-lieu" not in types.source_url
    assert "Quyet-dinh-20-2020" in types.source_url
    for item in types.items:
        assert item.extra.get("named_in") or item.extra.get("project_addition"), item.code


def test_personal_data_categories_follow_decree_356():
    categories = codelists.get("personal_data_categories")
    assert {item.extra["level"] for item in categories.items} == {"basic", "sensitive"}
    sensitive = codelists.sensitive_personal_data_categories()
    assert {"health", "biometric_genetic", "criminal", "financial"} <= sensitive
    assert not {"name", "identifiers", "image"} & sensitive
    assert "[S]" in categories.extra["confidence"]
