"""The legal rules of the dataset schema (issue 13 and the corrected
classification rules of issue 7), each with a refused and an accepted case,
through the action API (messages in Vietnamese, the default language) and
through real form posts in both languages."""

from __future__ import annotations

import datetime
import re
from typing import Any

import ckan.logic as logic
import ckan.model as model
import ckan.tests.helpers as helpers
import pytest
from vn_schema_data import page_text, post_agency, post_dataset, valid_dataset

from ckanext.vnopendata import codelists

# Each test class picks its own fixtures: the API tests run inside a request
# for their messages; the form tests use the test client.


def create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", context={"user": sysadmin["name"]}, **data)


def errors_of(sysadmin: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(logic.ValidationError) as raised:
        create(sysadmin, **data)
    return raised.value.error_dict


CORE = {"importance_reference": "Phụ lục I mục 3", "risk_assessment_date": "2025-06-01"}
PERSONAL = {"personal_data": "basic", "personal_data_categories": ["name", "places"]}


@pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")
class TestThroughTheApi:
    @pytest.mark.parametrize("sharing_class", ["restricted", "inter_agency"])
    def test_data_that_is_not_open_cites_the_article_of_its_basis(
        self, agency, sysadmin, sharing_class
    ):
        errors = errors_of(
            sysadmin,
            valid_dataset(agency["id"], sharing_class=sharing_class, legal_basis_article=None),
        )
        assert errors == {
            "legal_basis_article": [
                "Dữ liệu không phải dữ liệu mở phải ghi điểm, khoản, điều của căn cứ pháp lý:"
                " quy định hạn chế việc công khai, không chỉ số văn bản"
            ]
        }
        dataset = create(
            sysadmin,
            **valid_dataset(
                agency["id"], sharing_class=sharing_class, legal_basis_article="khoản 2 Điều 21"
            ),
        )
        assert dataset["legal_basis_article"] == "khoản 2 Điều 21"

    def test_open_data_needs_no_article(self, agency, sysadmin):
        dataset = create(sysadmin, **valid_dataset(agency["id"], legal_basis_article=None))
        assert "legal_basis_article" not in dataset

    @pytest.mark.parametrize("article", ["Điều 17 khoản 3", "Điều 13(1)(a)", "điều 5, điểm b"])
    def test_an_article_in_the_wrong_order_is_refused(self, agency, sysadmin, article):
        errors = errors_of(sysadmin, valid_dataset(agency["id"], legal_basis_article=article))
        assert errors["legal_basis_article"] == [
            f'Ghi "{article}" theo thứ tự điểm, khoản, Điều, ví dụ: điểm a khoản 1 Điều 13,'
            " khoản 3 Điều 17"
        ]

    @pytest.mark.parametrize("importance", ["core", "important"])
    @pytest.mark.parametrize("missing", ["legal_basis_number", "legal_basis_article"])
    def test_core_or_important_data_is_open_only_with_a_basis_for_opening_it(
        self, agency, sysadmin, importance, missing
    ):
        errors = errors_of(
            sysadmin, valid_dataset(agency["id"], importance=importance, **CORE, **{missing: None})
        )
        assert errors == {
            "sharing_class": [
                "Dữ liệu cốt lõi, dữ liệu quan trọng chỉ được phân loại là dữ liệu mở khi có căn cứ"
                " pháp lý cho việc mở (số văn bản và điểm, khoản, điều)"
            ]
        }
        dataset = create(sysadmin, **valid_dataset(agency["id"], importance=importance, **CORE))
        assert dataset["sharing_class"] == "open"
        assert dataset["importance"] == importance

    @pytest.mark.parametrize("importance", ["core", "important"])
    def test_core_or_important_data_cites_its_list_item_and_last_risk_assessment(
        self, agency, sysadmin, importance
    ):
        errors = errors_of(
            sysadmin, valid_dataset(agency["id"], importance=importance, sharing_class="restricted")
        )
        assert errors == {
            "importance_reference": [
                "Dữ liệu cốt lõi, dữ liệu quan trọng phải ghi mục tương ứng trong danh mục"
                " (Quyết định 20/2025/QĐ-TTg hoặc danh mục của bộ, ngành)"
            ],
            "risk_assessment_date": [
                "Dữ liệu cốt lõi, dữ liệu quan trọng phải có ngày đánh giá rủi ro gần nhất"
                " (khoản 4 Điều 25 Luật Dữ liệu)"
            ],
        }
        dataset = create(
            sysadmin,
            **valid_dataset(
                agency["id"], importance=importance, sharing_class="restricted", **CORE
            ),
        )
        assert dataset["importance_reference"] == "Phụ lục I mục 3"
        assert dataset["risk_assessment_date"] == "2025-06-01"

    def test_other_data_needs_neither(self, agency, sysadmin):
        dataset = create(sysadmin, **valid_dataset(agency["id"], importance="other"))
        assert "importance_reference" not in dataset and "risk_assessment_date" not in dataset

    def test_a_risk_assessment_cannot_be_dated_in_the_future(self, agency, sysadmin):
        tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
        errors = errors_of(
            sysadmin,
            valid_dataset(
                agency["id"],
                importance="core",
                sharing_class="restricted",
                **{**CORE, "risk_assessment_date": tomorrow},
            ),
        )
        assert errors == {
            "risk_assessment_date": ["Ngày đánh giá rủi ro gần nhất không được sau ngày hôm nay"]
        }

    @pytest.mark.parametrize("level", ["basic", "sensitive"])
    def test_personal_data_names_its_categories(self, agency, sysadmin, level):
        errors = errors_of(
            sysadmin, valid_dataset(agency["id"], personal_data=level, sharing_class="restricted")
        )
        assert errors == {
            "personal_data_categories": [
                "Dữ liệu có dữ liệu cá nhân phải ghi các loại dữ liệu cá nhân mà dữ liệu chứa"
                " (Nghị định 356/2025/NĐ-CP)"
            ]
        }
        dataset = create(
            sysadmin,
            **valid_dataset(
                agency["id"],
                personal_data=level,
                personal_data_categories=["name", "health"] if level == "sensitive" else ["name"],
                sharing_class="restricted",
            ),
        )
        assert dataset["personal_data"] == level

    def test_a_sensitive_category_makes_the_data_sensitive(self, agency, sysadmin):
        errors = errors_of(
            sysadmin,
            valid_dataset(
                agency["id"],
                personal_data="basic",
                personal_data_categories=["name", "health", "criminal"],
                sharing_class="restricted",
            ),
        )
        assert errors == {
            "personal_data": [
                "Các loại đã chọn có dữ liệu cá nhân nhạy cảm (Tình trạng sức khỏe, đời tư trong"
                " hồ sơ bệnh án, Dữ liệu về tội phạm, hành vi phạm tội): dữ liệu chứa dữ liệu cá"
                " nhân nhạy cảm"
            ]
        }

    def test_categories_and_safeguards_are_dropped_without_personal_data(self, agency, sysadmin):
        dataset = create(
            sysadmin,
            **valid_dataset(
                agency["id"],
                personal_data="none",
                personal_data_categories=["name"],
                personal_data_safeguards=["consent"],
            ),
        )
        shown = helpers.call_action("package_show", id=dataset["id"])
        assert "personal_data_categories" not in shown
        assert "personal_data_safeguards" not in shown

    @pytest.mark.parametrize("level", ["basic", "sensitive"])
    def test_open_data_holds_personal_data_only_when_de_identified_or_consented(
        self, agency, sysadmin, level
    ):
        categories = ["name", "health"] if level == "sensitive" else ["name"]
        data = {"personal_data": level, "personal_data_categories": categories}
        errors = errors_of(sysadmin, valid_dataset(agency["id"], **data))
        assert errors == {
            "sharing_class": [
                "Dữ liệu chứa dữ liệu cá nhân chỉ được phân loại là dữ liệu mở khi đã khử nhận dạng"
                " hoặc có sự đồng ý của chủ thể dữ liệu"
            ]
        }
        for name, safeguard in (("khu-nhan-dang", "deidentified"), ("dong-y", "consent")):
            dataset = create(
                sysadmin,
                **valid_dataset(
                    agency["id"], name=name, personal_data_safeguards=[safeguard], **data
                ),
            )
            assert dataset["personal_data_safeguards"] == [safeguard]
            assert dataset["personal_data_categories"] == categories

    def test_a_restrictive_licence_cannot_go_with_open_data(self, agency, sysadmin):
        errors = errors_of(sysadmin, valid_dataset(agency["id"], license_id="vn-restricted-terms"))
        assert errors == {
            "license_id": ["Giấy phép, điều khoản có hạn chế không được dùng cho dữ liệu mở"]
        }
        dataset = create(
            sysadmin,
            **valid_dataset(
                agency["id"], sharing_class="restricted", license_id="vn-restricted-terms"
            ),
        )
        assert dataset["license_id"] == "vn-restricted-terms"

    @pytest.mark.parametrize("declaration", [None, False, "false", "", "có"])
    def test_the_no_state_secret_declaration_is_required(self, agency, sysadmin, declaration):
        errors = errors_of(sysadmin, valid_dataset(agency["id"], no_state_secret=declaration))
        assert errors == {
            "no_state_secret": [
                "Danh mục dữ liệu không được chứa bí mật nhà nước: hãy xác nhận bộ dữ liệu không"
                " chứa thông tin thuộc danh mục bí mật nhà nước (Luật Bảo vệ bí mật nhà nước"
                " 2018)"
            ]
        }

    @pytest.mark.parametrize("declaration", [True, "true", "on"])
    def test_a_declared_dataset_is_stored_as_declared(self, agency, sysadmin, declaration):
        dataset = create(sysadmin, **valid_dataset(agency["id"], no_state_secret=declaration))
        assert dataset["no_state_secret"] is True
        assert model.Package.get(dataset["id"]).extras["no_state_secret"] == "true"
        # An update that leaves the declaration out keeps it through patch.
        patched = helpers.call_action(
            "package_patch",
            context={"user": sysadmin["name"]},
            id=dataset["id"],
            contact_position="Trưởng phòng",
        )
        assert patched["no_state_secret"] is True

    def test_the_commune_code_is_checked_for_its_form(self, agency, sysadmin):
        errors = errors_of(sysadmin, valid_dataset(agency["id"], commune_code="0004"))
        assert errors["commune_code"] == [
            'Mã đơn vị hành chính cấp xã "0004" phải gồm 5 chữ số theo Quyết định 19/2025/QĐ-TTg'
        ]


def test_the_fee_rule_follows_art_38_per_requester_type():
    rules = {rule.requester_type: rule for rule in codelists.fee_rules("statutory_fee")}
    assert list(rules) == ["state_body", "data_subject", "other"]
    assert rules["state_body"].fee == "free"
    assert rules["data_subject"].fee == "free"
    assert rules["other"].fee == "statutory_fee"
    assert rules["state_body"].citation["vi"] == "khoản 1 Điều 38 Luật Dữ liệu"
    assert rules["other"].citation["vi"] == "khoản 3 Điều 38 Luật Dữ liệu"
    assert {rule.requester_type: rule.fee for rule in codelists.fee_rules(None)} == {
        "state_body": "free",
        "data_subject": "free",
        "other": None,
    }


# Forms, in both languages ----------------------------------------------------

# (overrides breaking the rule, Vietnamese message, English message,
#  overrides meeting it)
FORM_RULES = [
    (
        {"sharing_class": "restricted", "legal_basis_article": ""},
        "Dữ liệu không phải dữ liệu mở phải ghi điểm, khoản, điều của căn cứ pháp lý",
        "Data that is not open data needs the article of its legal basis",
        {"sharing_class": "restricted"},
    ),
    (
        {"legal_basis_article": "Điều 17 khoản 3"},
        'Ghi "Điều 17 khoản 3" theo thứ tự điểm, khoản, Điều',
        'Cite "Điều 17 khoản 3" in Vietnamese order',
        {"legal_basis_article": "khoản 3 Điều 17"},
    ),
    (
        {"importance": "important", "sharing_class": "restricted"},
        "phải có ngày đánh giá rủi ro gần nhất (khoản 4 Điều 25 Luật Dữ liệu)",
        "Core or important data needs the date of its last risk assessment"
        " (Law on Data, Art 25(4))",
        {"importance": "important", "sharing_class": "restricted", **CORE},
    ),
    (
        {"importance": "core", "legal_basis_number": "", **CORE},
        "chỉ được phân loại là dữ liệu mở khi có căn cứ pháp lý cho việc mở",
        "Core or important data may be classified as open data only with a recorded legal basis",
        {"importance": "core", **CORE},
    ),
    (
        {"personal_data": "basic", "sharing_class": "restricted"},
        "phải ghi các loại dữ liệu cá nhân mà dữ liệu chứa (Nghị định 356/2025/NĐ-CP)",
        "Data holding personal data needs the categories of personal data it holds",
        {**PERSONAL, "sharing_class": "restricted"},
    ),
    (
        PERSONAL,
        "Dữ liệu chứa dữ liệu cá nhân chỉ được phân loại là dữ liệu mở khi đã khử nhận dạng",
        "Data containing personal data may be classified as open data only when the record says"
        " it was de-identified",
        {**PERSONAL, "personal_data_safeguards": ["consent"]},
    ),
    (
        {"license_id": "vn-restricted-terms"},
        "Giấy phép, điều khoản có hạn chế không được dùng cho dữ liệu mở",
        "A licence marked as restrictive cannot be used for open data",
        {"license_id": "CC0-1.0"},
    ),
    (
        {"no_state_secret": None},
        "hãy xác nhận bộ dữ liệu không chứa thông tin thuộc danh mục bí mật nhà nước",
        "A catalogue never lists state secrets: declare that the dataset holds no information"
        " classified as a state secret",
        {"no_state_secret": "true"},
    ),
]


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestThroughTheForms:
    @pytest.mark.parametrize(("broken", "message_vi", "message_en", "met"), FORM_RULES)
    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_a_legal_rule_through_the_form(
        self, logged_in, agency, lang, broken, message_vi, message_en, met
    ):
        prefix = "/en" if lang == "en" else ""
        refused = post_dataset(logged_in, valid_dataset(agency["id"], **broken), prefix)
        assert refused.status_code == 200
        page = page_text(refused)
        assert (message_en if lang == "en" else message_vi) in page
        assert model.Package.by_name("so-ca-benh-truyen-nhiem") is None
        # Nothing typed is lost.
        assert 'value="Nguyễn Văn An"' in page

        accepted = post_dataset(logged_in, valid_dataset(agency["id"], **met), prefix)
        assert accepted.status_code == 302, page_text(accepted)[:3000]

    def test_the_form_shows_the_fields_where_they_apply(self, logged_in, agency):
        page = page_text(logged_in.get("/dataset/new"))
        # Shown only for personal data, and for core and important data
        # (show-when.js hides the others and disables their inputs): each
        # wrapper names its controlling field and values, and holds the field.
        wrappers = re.finditer(
            r'<div class="vn-show-when" data-module="vn-show-when" '
            r'data-module-field="([a-z_]+)" data-module-values="([a-z_,]+)">\s*'
            r'(?:(?!vn-show-when)[\s\S])*?<(?:input|select)[^>]*id="field-([a-z_]+)"',
            page,
        )
        assert [match.groups() for match in wrappers] == [
            ("importance", "core,important", "importance_reference"),
            ("importance", "core,important", "risk_assessment_date"),
            ("personal_data", "basic,sensitive", "personal_data_categories"),
            ("personal_data", "basic,sensitive", "personal_data_safeguards"),
        ]
        assert 'type="checkbox" id="field-no_state_secret"' in page
        assert "Phạm vi thời gian - từ ngày" in page
        assert "Mã đơn vị hành chính cấp xã" in page
        assert "Cổng chỉ kiểm tra định dạng" in page
        english = page_text(logged_in.get("/en/dataset/new"))
        assert "I declare that the dataset holds no information classified as a state secret" in (
            english
        )

    def test_the_dataset_page_shows_the_fee_per_requester_type(self, logged_in, agency):
        post_dataset(logged_in, valid_dataset(agency["id"], fee="statutory_fee"))
        page = page_text(logged_in.get("/dataset/so-ca-benh-truyen-nhiem"))
        assert "Cơ quan Đảng, Nhà nước, Ủy ban Mặt trận Tổ quốc Việt Nam" in page
        assert "khoản 3 Điều 38 Luật Dữ liệu" in page
        assert "Tổ chức, cá nhân khác: <strong>Thu phí theo pháp luật về phí và lệ phí" in page
        assert "Không chứa bí mật nhà nước" in page and "Đã xác nhận" in page
        english = page_text(logged_in.get("/en/dataset/so-ca-benh-truyen-nhiem"))
        assert "Any other organisation or individual: <strong>Fee under the law on fees" in english


# Agencies: e-ID and catalogue decisions ----------------------------------------

AGENCY = {
    "title_translated": {"vi": "Sở Y tế Hà Nội", "en": "Ha Noi Department of Health"},
    "name": "",
    "agency_code": "000.00.12.H26",
    "agency_type": "department",
    "agency_level": "province",
    "province": "01",
    "open_data_catalogue_decision_number": "3350/QĐ-UBND",
    "open_data_catalogue_decision_date": "2025-08-01",
    "open_data_catalogue_decision_signer": "Phó Chủ tịch Ủy ban nhân dân Thành phố Hà Nội",
    "open_data_catalogue_decision_url": "https://hanoi.gov.vn/danh-muc-du-lieu-mo",
}


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestAgencies:
    @pytest.mark.parametrize(
        ("lang", "message"),
        [
            ("vi", 'Mã định danh điện tử "000.00.12.H26" đã được cấp cho cơ quan "Sở Y tế Hà Nội"'),
            (
                "en",
                'The agency e-ID "000.00.12.H26" already belongs to the agency "Sở Y tế Hà Nội"',
            ),
        ],
    )
    def test_a_second_agency_cannot_take_a_code(self, logged_in, lang, message):
        prefix = "/en" if lang == "en" else ""
        assert post_agency(logged_in, AGENCY, prefix).status_code == 302
        other = {**AGENCY, "title_translated": {"vi": "Sở Y tế khác"}}
        refused = post_agency(logged_in, other, prefix)
        assert refused.status_code == 200
        assert message in page_text(refused)
        assert model.Group.by_name("so-y-te-khac") is None

    @pytest.mark.parametrize(
        ("lang", "message"),
        [
            ("vi", "không đúng Quyết định 20/2020/QĐ-TTg"),
            ("en", "does not follow Decision 20/2020/QĐ-TTg"),
        ],
    )
    def test_a_bare_scheme_code_is_refused(self, logged_in, lang, message):
        prefix = "/en" if lang == "en" else ""
        refused = post_agency(logged_in, {**AGENCY, "agency_code": "Z01"}, prefix)
        assert refused.status_code == 200
        assert f'"Z01" {message}' in page_text(refused)

    @pytest.mark.parametrize(
        ("lang", "message"),
        [
            ("vi", "Quyết định ban hành danh mục phải có số và ngày ban hành"),
            ("en", "A decision approving a catalogue needs its number and its date"),
        ],
    )
    def test_a_catalogue_decision_without_date_is_refused(self, logged_in, lang, message):
        prefix = "/en" if lang == "en" else ""
        refused = post_agency(
            logged_in, {**AGENCY, "open_data_catalogue_decision_date": ""}, prefix
        )
        assert refused.status_code == 200
        assert message in page_text(refused)

    def test_the_agency_page_shows_its_catalogue_decisions(self, logged_in):
        assert post_agency(logged_in, AGENCY).status_code == 302
        page = page_text(logged_in.get("/organization/so-y-te-ha-noi"))
        section = page[page.index('class="vn-catalogue-decisions"') :]
        assert "Quyết định ban hành danh mục dữ liệu" in section
        assert "Danh mục dữ liệu mở" in section
        assert '<a href="https://hanoi.gov.vn/danh-muc-du-lieu-mo">3350/QĐ-UBND</a>' in section
        assert "người ký Phó Chủ tịch Ủy ban nhân dân Thành phố Hà Nội" in section
        # No shared-data decision was recorded, so none is shown.
        assert "Danh mục dữ liệu dùng chung" not in section[: section.index("</section>")]
        english = page_text(logged_in.get("/en/organization/so-y-te-ha-noi"))
        assert "Open-data catalogue" in english and "signed by" in english
        about = page_text(logged_in.get("/organization/about/so-y-te-ha-noi"))
        assert "Danh mục dữ liệu mở - số quyết định" in about and "3350/QĐ-UBND" in about
