"""The agency (organisation) schema through the action API."""

from __future__ import annotations

from typing import Any

import ckan.logic as logic
import ckan.tests.helpers as helpers
import pytest

pytestmark = pytest.mark.usefixtures("clean_db", "with_request_context")


def valid_agency(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title_translated": {"vi": "Sở Y tế Hà Nội", "en": "Ha Noi Department of Health"},
        "description_translated": {"vi": "Cơ quan chuyên môn về y tế."},
        "agency_code": "000.00.12.H26",
        "agency_type": "department",
        "agency_level": "province",
        "province": "01",
        "focal_officer_name": "Đỗ Thu Hà",
        "focal_officer_position": "Chuyên viên",
        "focal_officer_email": "dulieu@soyte.hanoi.gov.vn",
        "focal_officer_phone": "024 3998 5765",
        "dpo_name": "Phòng Pháp chế",
        "dpo_email": "baovedulieu@soyte.hanoi.gov.vn",
        "platform_endpoint": "https://lgsp.hanoi.gov.vn/soyte",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("organization_create", context={"user": sysadmin["name"]}, **data)


def errors_of(sysadmin: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(logic.ValidationError) as raised:
        create(sysadmin, **data)
    return raised.value.error_dict


def test_a_complete_agency_is_stored_with_a_folded_url_name(sysadmin):
    parent = create(
        sysadmin,
        **valid_agency(
            title_translated={"vi": "Ủy ban nhân dân Thành phố Hà Nội"},
            agency_code="000.00.00.H26",
            agency_type="provincial_committee",
        ),
    )
    assert parent["name"] == "uy-ban-nhan-dan-thanh-pho-ha-noi"
    assert parent["title"] == "Ủy ban nhân dân Thành phố Hà Nội"

    agency = create(sysadmin, **valid_agency(parent_agency=parent["name"]))
    shown = helpers.call_action("organization_show", id=agency["id"])
    assert shown["name"] == "so-y-te-ha-noi"
    assert shown["title_translated"] == {
        "vi": "Sở Y tế Hà Nội",
        "en": "Ha Noi Department of Health",
    }
    assert shown["description"] == "Cơ quan chuyên môn về y tế."
    assert shown["parent_agency"] == parent["id"]
    assert shown["agency_code"] == "000.00.12.H26"
    assert shown["province"] == "01"
    assert shown["focal_officer_phone"] == "024 3998 5765"
    assert shown["platform_endpoint"] == "https://lgsp.hanoi.gov.vn/soyte"


@pytest.mark.parametrize(
    "code",
    ["G03", "000.00.00.H30", "G10.01.02", "z01.abc123", "Z99ABC", "000.00.21.H26", "000.A1.00.G10"],
)
def test_a_decision_20_2020_agency_code_is_accepted(sysadmin, code):
    agency = create(sysadmin, **valid_agency(agency_code=code))
    assert agency["agency_code"] == code.upper()


@pytest.mark.parametrize(
    "code",
    [
        "BYT",  # no level-1 code
        "000.00.00",  # only zeros
        "G3",  # level-1 code needs two digits
        "G03..01",  # empty group
        "G03-01",  # wrong separator
        "G03." + "1" * 32,  # over 35 characters
        "Sở-Y-tế",
        "Z01",  # a scheme code without the organisation's code
        "Z00.ABC",  # Z00 is no scheme code (Z01-Z99)
        "000.00.H30",  # document-exchange form with a group missing
        "00.00.00.H30",  # level-4 group of two characters
        "000.00.00.Z01",  # the level-1 code of a state body is A-Y
        "000.00.00.H30.01",  # nothing follows the level-1 code in that form
    ],
)
def test_an_invalid_agency_code_is_refused(sysadmin, code):
    errors = errors_of(sysadmin, valid_agency(agency_code=code))
    (message,) = errors["agency_code"]
    assert "Quyết định 20/2020/QĐ-TTg" in message


INVALID_FIELDS = [
    ("title_translated", {"en": "Only English"}, "bắt buộc nhập nội dung tiếng Việt"),
    ("name", "Sở Y tế", None),
    ("agency_code", "", "Giá trị bị mất"),
    ("parent_agency", "khong-ton-tai", 'Không có cơ quan "khong-ton-tai"'),
    ("agency_type", "company", '"company" không phải giá trị hợp lệ'),
    ("agency_type", "", "Giá trị bị mất"),
    ("agency_level", "district", '"district" không phải giá trị hợp lệ'),
    ("province", "63", '"63" không phải giá trị hợp lệ'),
    ("focal_officer_email", "dulieu", None),
    ("focal_officer_phone", "không có", "Số điện thoại"),
    ("dpo_email", "@", None),
    ("platform_endpoint", "lgsp.hanoi", "Cung cấp địa chỉ hợp lệ"),
]


@pytest.mark.parametrize(("field", "value", "message"), INVALID_FIELDS)
def test_an_invalid_agency_field_is_refused(sysadmin, field, value, message):
    errors = errors_of(sysadmin, valid_agency(**{field: value}))
    assert field in errors, errors
    if message:
        assert any(message in text for text in errors[field]), errors[field]


def test_a_provincial_agency_needs_its_province(sysadmin):
    errors = errors_of(sysadmin, valid_agency(province=None))
    assert errors["province"] == ["Cơ quan cấp tỉnh, cấp xã phải có tỉnh, thành phố"]
    central = create(
        sysadmin,
        **valid_agency(
            title_translated={"vi": "Bộ Y tế"},
            agency_code="000.00.00.G10",
            agency_type="ministry",
            agency_level="central",
            province=None,
        ),
    )
    assert "province" not in central


def test_an_agency_cannot_be_its_own_parent(sysadmin):
    agency = create(sysadmin, **valid_agency())
    with pytest.raises(logic.ValidationError) as raised:
        helpers.call_action(
            "organization_patch",
            context={"user": sysadmin["name"]},
            id=agency["id"],
            parent_agency=agency["name"],
        )
    assert raised.value.error_dict["parent_agency"] == [
        "Cơ quan không thể là cơ quan cấp trên của chính nó"
    ]


def test_an_agency_code_belongs_to_one_agency(sysadmin):
    first = create(sysadmin, **valid_agency())
    errors = errors_of(
        sysadmin,
        valid_agency(
            title_translated={"vi": "Sở Y tế khác"},
            name="so-y-te-khac",
            agency_code="000.00.12.h26",
        ),
    )
    assert errors["agency_code"] == [
        'Mã định danh điện tử "000.00.12.H26" đã được cấp cho cơ quan "Sở Y tế Hà Nội"'
    ]
    # The agency itself keeps its code when it is updated.
    helpers.call_action(
        "organization_patch",
        context={"user": sysadmin["name"]},
        id=first["name"],
        focal_officer_name="Nguyễn Văn Bình",
    )
    updated = helpers.call_action("organization_show", id=first["id"])
    assert updated["agency_code"] == "000.00.12.H26"
    assert updated["focal_officer_name"] == "Nguyễn Văn Bình"
    # A deleted agency's code can be given again.
    helpers.call_action("organization_delete", context={"user": sysadmin["name"]}, id=first["id"])
    again = create(sysadmin, **valid_agency(name="so-y-te-moi", agency_code="000.00.12.H26"))
    assert again["agency_code"] == "000.00.12.H26"


DECISIONS = {
    "open_data_catalogue_decision_number": "3350/QĐ-UBND",
    "open_data_catalogue_decision_date": "2025-08-01",
    "open_data_catalogue_decision_signer": "Phó Chủ tịch Ủy ban nhân dân Thành phố Hà Nội",
    "open_data_catalogue_decision_url": "https://hanoi.gov.vn/danh-muc-du-lieu-mo",
    "shared_data_catalogue_decision_number": "3351/QĐ-UBND",
    "shared_data_catalogue_decision_date": "2025-08-02",
}


def test_the_catalogue_decisions_are_stored(sysadmin):
    agency = create(sysadmin, **valid_agency(**DECISIONS))
    shown = helpers.call_action("organization_show", id=agency["id"])
    for field, value in DECISIONS.items():
        assert shown[field] == value


@pytest.mark.parametrize("catalogue", ["open_data", "shared_data"])
def test_a_catalogue_decision_needs_its_number_and_date(sysadmin, catalogue):
    prefix = f"{catalogue}_catalogue_decision"
    errors = errors_of(sysadmin, valid_agency(**{f"{prefix}_signer": "Chủ tịch"}))
    message = ["Quyết định ban hành danh mục phải có số và ngày ban hành"]
    assert errors[f"{prefix}_number"] == message
    assert errors[f"{prefix}_date"] == message
    errors = errors_of(sysadmin, valid_agency(**{f"{prefix}_number": "12/QĐ-UBND"}))
    assert errors == {f"{prefix}_date": message}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("open_data_catalogue_decision_number", "số 12", "60/2024/QH15"),
        ("open_data_catalogue_decision_date", "1/8", "Định dạng dữ liệu không đúng"),
        ("shared_data_catalogue_decision_url", "hanoi.gov.vn", "Cung cấp địa chỉ hợp lệ"),
    ],
)
def test_an_invalid_catalogue_decision_field_is_refused(sysadmin, field, value, message):
    errors = errors_of(sysadmin, valid_agency(**{**DECISIONS, field: value}))
    assert any(message in text for text in errors[field]), errors
