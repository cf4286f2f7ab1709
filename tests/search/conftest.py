"""A small Vietnamese catalogue shared by the search tests of one module.

Building it once per module (instead of per test with `clean_db`) keeps the
suite fast; tests that change data use their own `clean_db` datasets.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from search.helpers import make_dataset, make_organization

REVIEW_REQUIRED = "ckanext.vnopendata.review.required"


def _publish_when_created() -> Any:
    previous = tk.config.get(REVIEW_REQUIRED)
    tk.config[REVIEW_REQUIRED] = False
    yield
    tk.config[REVIEW_REQUIRED] = previous


# The search tests are about search: their datasets are published when
# created (a portal with `ckanext.vnopendata.review.required = false`); the
# review workflow has its own tests (tests/sharing). Set for each module
# (its catalogue) and each test (plugin reloads restore the ini's config).
_published_for_the_module = pytest.fixture(scope="module", autouse=True)(_publish_when_created)
_published_for_the_test = pytest.fixture(autouse=True)(_publish_when_created)


@pytest.fixture(scope="module")
def catalog(_session_app: Any, reset_database: Any) -> dict[str, Any]:
    reset_database()
    sysadmin = factories.Sysadmin(name="quan-tri")
    editor_a = factories.User(name="can-bo-tai-chinh")
    member_b = factories.User(name="can-bo-ha-noi")
    org_a = make_organization(
        "G01",
        name="bo-tai-chinh",
        title="Bộ Tài chính",
        users=[{"name": editor_a["name"], "capacity": "editor"}],
    )
    org_b = make_organization(
        "H01",
        name="ubnd-hn",
        title="UBND thành phố Hà Nội",
        users=[{"name": member_b["name"], "capacity": "member"}],
    )
    group = factories.Group(name="kinh-te", title="Kinh tế")
    datasets = {
        "dan-so-ha-noi": make_dataset(
            name="dan-so-ha-noi",
            title="Dân số Hà Nội 2023",
            notes="Thống kê dân số theo quận, huyện",
            owner_org=org_b["id"],
            license_id="cc-by",
            tags=[{"name": "dân số"}, {"name": "thống kê"}],
            groups=[{"name": group["name"]}],
            resources=[
                {"url": "http://example.vn/ds.csv", "format": "CSV", "name": "Bảng dân số"},
                {"url": "http://example.vn/ds.json", "format": "JSON"},
            ],
        ),
        "ngan-sach-2024": make_dataset(
            name="ngan-sach-2024",
            title="Ngân sách nhà nước 2024",
            notes="Dự toán ngân sách nhà nước năm 2024",
            owner_org=org_a["id"],
            license_id="odc-odbl",
            tags=[{"name": "ngân sách"}, {"name": "thống kê"}],
            groups=[{"name": group["name"]}],
            # Two CSV files: the format facet still counts the dataset once.
            resources=[
                {"url": "http://example.vn/ns.csv", "format": "CSV"},
                {"url": "http://example.vn/ns-2023.csv", "format": "CSV"},
            ],
        ),
        "noi-bo-tai-chinh": make_dataset(
            name="noi-bo-tai-chinh",
            title="Dữ liệu nội bộ về Hà Nội",
            notes="Chỉ cán bộ Bộ Tài chính được xem",
            owner_org=org_a["id"],
            private=True,
            license_id="other-closed",
            tags=[{"name": "nội bộ"}, {"name": "thống kê"}],
            resources=[{"url": "http://example.vn/nb.xlsx", "format": "XLSX"}],
        ),
        "nong-nghiep-cuu-long": make_dataset(
            name="nong-nghiep-cuu-long",
            title="Nông nghiệp Đồng bằng sông Cửu Long",
            notes="Sản lượng lúa gạo theo tỉnh",
            owner_org=org_b["id"],
            license_id="cc-by",
            tags=[{"name": "nông nghiệp"}],
            resources=[{"url": "http://example.vn/nn.json", "format": "JSON"}],
        ),
        "giao-thong-ha-noi": make_dataset(
            name="giao-thong-ha-noi",
            title="Giao thong Ha Noi",
            notes="Written without diacritics",
            owner_org=org_b["id"],
            license_id="cc-by",
            tags=[{"name": "giao thông"}],
            resources=[{"url": "http://example.vn/gt.csv", "format": "CSV"}],
        ),
    }
    return {
        "sysadmin": sysadmin,
        "editor_a": editor_a,
        "member_b": member_b,
        "org_a": org_a,
        "org_b": org_b,
        "group": group,
        "datasets": datasets,
    }
