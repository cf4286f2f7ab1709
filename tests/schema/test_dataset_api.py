"""The dataset schema through the action API: every field, every rule.

Messages are checked in Vietnamese, the portal's default language, which is
what an API client without a language prefix gets.
"""

from __future__ import annotations

from typing import Any

import ckan.logic as logic
import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from vn_schema_data import INVALID_FIELDS, valid_dataset

# Actions run inside a request, as they do behind the API, so messages come
# in the default language (Vietnamese).
pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")


def create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", context={"user": sysadmin["name"]}, **data)


def errors_of(sysadmin: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(logic.ValidationError) as raised:
        create(sysadmin, **data)
    return raised.value.error_dict


def test_a_complete_dataset_is_stored_and_shown_as_given(agency, sysadmin):
    dataset = create(sysadmin, **valid_dataset(agency["id"]))
    shown = helpers.call_action("package_show", id=dataset["id"])

    assert shown["type"] == "dataset"
    assert shown["title_translated"] == {
        "vi": "Số ca bệnh truyền nhiễm theo tỉnh",
        "en": "Infectious disease cases by province",
    }
    # Core fields follow the Vietnamese so CKAN's own pages keep working.
    assert shown["title"] == "Số ca bệnh truyền nhiễm theo tỉnh"
    assert shown["notes"] == "Số ca mắc bệnh truyền nhiễm được báo cáo hằng tháng."
    assert shown["provinces"] == ["01", "79"]
    assert shown["language"] == ["vi", "en"]
    assert shown["sharing_method"] == ["download", "query"]
    assert shown["sharing_class"] == "open"
    assert shown["issued"] == "2025-01-15"
    assert shown["license_id"] == "CC-BY-4.0"
    assert shown["contact_phone"] == "024 6273 2273"
    assert {tag["name"] for tag in shown["tags"]} == {"y tế", "dịch bệnh"}
    api = shown["resources"][1]
    assert api["platform"] == "ndop"
    assert api["service_id"] == "BYT_CaBenh"
    assert api["auth_method"] == "bearer_token"
    assert api["api_spec_url"] == "https://api.moh.gov.vn/openapi.json"


def test_english_is_optional_and_the_name_comes_from_the_vietnamese_title(agency, sysadmin):
    dataset = create(
        sysadmin,
        **valid_dataset(
            agency["id"],
            name=None,
            identifier=None,
            title_translated={"vi": "Bộ dữ liệu thống kê số 0"},
        ),
    )
    assert dataset["name"] == "bo-du-lieu-thong-ke-so-0"
    assert dataset["title_translated"] == {"vi": "Bộ dữ liệu thống kê số 0"}
    # Without an identifier the agency e-ID prefixes the URL name.
    assert dataset["identifier"] == "000.00.00.G10.bo-du-lieu-thong-ke-so-0"


def test_a_custodian_agency_given_by_name_is_stored_by_id(agency, sysadmin):
    custodian = factories.Organization(
        name="cuc-y-te-du-phong",
        title="Cục Y tế dự phòng",
        agency_code="000.01.00.G10",
        agency_type="government_agency",
        agency_level="central",
    )
    dataset = create(sysadmin, **valid_dataset(agency["id"], custodian_org="cuc-y-te-du-phong"))
    assert dataset["custodian_org"] == custodian["id"]


@pytest.mark.parametrize(("field", "value", "message"), INVALID_FIELDS)
def test_an_invalid_field_is_refused_with_its_own_message(agency, sysadmin, field, value, message):
    errors = errors_of(sysadmin, valid_dataset(agency["id"], **{field: value}))
    assert field in errors, errors
    if message:
        assert any(message in text for text in errors[field]), errors[field]


def test_a_code_list_message_names_the_field_and_the_allowed_values(agency, sysadmin):
    errors = errors_of(sysadmin, valid_dataset(agency["id"], sector="sports"))
    (message,) = errors["sector"]
    assert message.startswith("Lĩnh vực:")
    assert "agriculture" in message and "health" in message and "justice" in message


# (field, a valid value other than the complete dataset's)
VALID_FIELDS = [
    ("title_translated", '{"vi": "Tên bằng chuỗi JSON"}'),
    ("language", "vi"),
    ("contact_phone", "+84 24 3822 1234"),
    ("sharing_class", "restricted"),
    ("legal_basis_article", "điểm a khoản 1 Điều 13"),
    ("legal_basis_article", "Điều 6, Điều 7"),
    ("risk_assessment_date", "2025-06-30"),
    ("data_layer", "master"),
    ("source_database", "population"),
    ("legal_basis_number", "47/2020/NĐ-CP"),
    ("sector", "agriculture"),
    ("provinces", ["96", "08", "01"]),
    ("commune_code", "26734"),
    ("frequency", "ANNUAL"),
    ("license_id", "CC0-1.0"),
    ("sharing_method", "sync_national_db"),
    ("fee", "statutory_fee"),
    ("catalogue_decision_number", "7213/VPCP-KSTT"),
]


@pytest.mark.parametrize(("field", "value"), VALID_FIELDS)
def test_a_valid_field_is_accepted(agency, sysadmin, field, value):
    dataset = create(sysadmin, **valid_dataset(agency["id"], **{field: value}))
    stored = dataset[field]
    if isinstance(value, str) and field in ("language", "sharing_method"):
        assert stored == [value]
    elif field == "title_translated":
        assert stored == {"vi": "Tên bằng chuỗi JSON"}
    else:
        assert stored == value


INVALID_RESOURCE_FIELDS = [
    ("download_url", "not a url", "Cung cấp địa chỉ hợp lệ"),
    ("api_endpoint", "api.moh", "Cung cấp địa chỉ hợp lệ"),
    ("api_spec_url", "openapi.json", "Cung cấp địa chỉ hợp lệ"),
    ("platform", "zalo", '"zalo" không phải giá trị hợp lệ'),
    ("auth_method", "password", '"password" không phải giá trị hợp lệ'),
]


@pytest.mark.parametrize(("field", "value", "message"), INVALID_RESOURCE_FIELDS)
def test_an_invalid_resource_field_is_refused(agency, sysadmin, field, value, message):
    data = valid_dataset(agency["id"])
    data["resources"][1][field] = value
    errors = errors_of(sysadmin, data)
    resource_errors = errors["resources"][1]
    assert any(message in text for text in resource_errors[field]), resource_errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("platform", "lgsp"), ("auth_method", "ndop_account"), ("format", "GeoJSON")],
)
def test_a_valid_resource_field_is_accepted(agency, sysadmin, field, value):
    data = valid_dataset(agency["id"])
    data["resources"][1][field] = value
    dataset = create(sysadmin, **data)
    assert dataset["resources"][1][field] == value


# Rules between fields ------------------------------------------------------


def test_legal_basis_is_required_unless_open(agency, sysadmin):
    for sharing_class in ("restricted", "inter_agency"):
        errors = errors_of(
            sysadmin,
            valid_dataset(agency["id"], sharing_class=sharing_class, legal_basis_number=None),
        )
        assert errors["legal_basis_number"] == [
            "Dữ liệu không phải dữ liệu mở phải có căn cứ pháp lý"
        ]
    dataset = create(
        sysadmin, **valid_dataset(agency["id"], sharing_class="open", legal_basis_number=None)
    )
    assert "legal_basis_number" not in dataset


def test_a_licence_is_required_when_open(agency, sysadmin):
    errors = errors_of(sysadmin, valid_dataset(agency["id"], license_id=None))
    assert errors["license_id"] == ["Dữ liệu mở phải có giấy phép hoặc điều khoản sử dụng"]
    dataset = create(
        sysadmin, **valid_dataset(agency["id"], sharing_class="restricted", license_id=None)
    )
    assert dataset["sharing_class"] == "restricted"


def test_an_exploitation_regulation_is_required_when_inter_agency(agency, sysadmin):
    errors = errors_of(
        sysadmin,
        valid_dataset(
            agency["id"], sharing_class="inter_agency", exploitation_regulation_number=None
        ),
    )
    assert errors["exploitation_regulation_number"] == [
        "Dữ liệu dùng chung phải có quy chế khai thác, sử dụng dữ liệu"
    ]
    dataset = create(sysadmin, **valid_dataset(agency["id"], sharing_class="inter_agency"))
    assert dataset["exploitation_regulation_number"] == "12/2025/QĐ-BYT"
    # Open data needs none.
    create(
        sysadmin,
        **valid_dataset(agency["id"], name="mo-khong-quy-che", exploitation_regulation_number=None),
    )


def test_the_update_date_cannot_precede_the_issue_date(agency, sysadmin):
    errors = errors_of(sysadmin, valid_dataset(agency["id"], modified="2025-01-14"))
    assert errors["modified"] == ["Ngày cập nhật không được trước ngày công bố"]
    dataset = create(sysadmin, **valid_dataset(agency["id"], modified="2025-01-15"))
    assert dataset["modified"] == "2025-01-15"


def test_the_next_review_cannot_precede_the_issue_or_update_date(agency, sysadmin):
    errors = errors_of(sysadmin, valid_dataset(agency["id"], next_review_date="2025-02-28"))
    assert errors["next_review_date"] == [
        "Ngày rà soát kế tiếp không được trước ngày công bố hoặc ngày cập nhật"
    ]
    errors = errors_of(
        sysadmin, valid_dataset(agency["id"], modified=None, next_review_date="2025-01-01")
    )
    assert "next_review_date" in errors
    create(sysadmin, **valid_dataset(agency["id"], next_review_date="2025-03-01"))


def test_the_temporal_coverage_ends_after_it_starts(agency, sysadmin):
    errors = errors_of(
        sysadmin,
        valid_dataset(agency["id"], temporal_start="2024-06-01", temporal_end="2024-05-31"),
    )
    assert errors["temporal_end"] == [
        "Phạm vi thời gian: ngày kết thúc không được trước ngày bắt đầu"
    ]
    dataset = create(
        sysadmin, **valid_dataset(agency["id"], temporal_start="2024-06-01", temporal_end=None)
    )
    assert dataset["temporal_start"] == "2024-06-01"


def test_every_broken_rule_is_reported_at_once(agency, sysadmin):
    errors = errors_of(
        sysadmin,
        valid_dataset(
            agency["id"],
            importance="core",
            legal_basis_article=None,
            personal_data="sensitive",
            license_id=None,
            modified="2024-01-01",
            no_state_secret=None,
        ),
    )
    # Core data without a basis for opening it, personal data without a
    # safeguard.
    assert len(errors["sharing_class"]) == 2
    assert {"license_id", "modified", "importance_reference", "risk_assessment_date"} <= set(errors)
    assert {"personal_data_categories", "no_state_secret"} <= set(errors)


# Nothing restricted may leak -------------------------------------------------


@pytest.mark.parametrize("sharing_class", ["inter_agency", "restricted"])
def test_data_that_is_not_open_is_always_private(agency, sysadmin, sharing_class):
    errors = errors_of(
        sysadmin, valid_dataset(agency["id"], sharing_class=sharing_class, private=False)
    )
    assert errors["private"] == [
        "Chỉ dữ liệu mở đã được công bố mới được công khai; "
        "dữ liệu khác luôn ở chế độ không công khai"
    ]
    dataset = create(sysadmin, **valid_dataset(agency["id"], sharing_class=sharing_class))
    assert dataset["private"] is True
    assert model.Package.get(dataset["id"]).private is True

    with pytest.raises(logic.ValidationError) as refused:
        helpers.call_action(
            "package_patch", context={"user": sysadmin["name"]}, id=dataset["id"], private=False
        )
    assert "private" in refused.value.error_dict
    assert model.Package.get(dataset["id"]).private is True

    # Anonymous visitors find nothing, not even through search.
    found = helpers.call_action("package_search", context={"user": ""}, q="*:*")
    assert found["count"] == 0


def test_open_data_may_be_public_and_becomes_private_when_reclassified(agency, sysadmin):
    dataset = create(sysadmin, **valid_dataset(agency["id"], private=False))
    assert dataset["private"] is False

    reclassified = helpers.call_action(
        "package_patch",
        context={"user": sysadmin["name"]},
        id=dataset["id"],
        sharing_class="restricted",
    )
    assert reclassified["private"] is True


def test_bulk_make_public_refuses_data_that_is_not_open(agency, sysadmin):
    restricted = create(
        sysadmin, **valid_dataset(agency["id"], name="dung-rieng", sharing_class="restricted")
    )
    open_data = create(sysadmin, **valid_dataset(agency["id"], name="mo", private=True))
    context = {"user": sysadmin["name"]}
    with pytest.raises(logic.ValidationError) as raised:
        helpers.call_action(
            "bulk_update_public",
            context=context,
            datasets=[restricted["id"], open_data["id"]],
            org_id=agency["id"],
        )
    assert raised.value.error_dict["datasets"] == [
        "Chỉ dữ liệu mở đã được công bố mới được công khai: dung-rieng"
    ]
    assert model.Package.get(restricted["id"]).private is True
