from __future__ import annotations

import pytest
from ckan.plugins import plugin_loaded


def test_plugins_are_loaded():
    assert plugin_loaded("vnopendata")
    assert plugin_loaded("vnopendata_search")


@pytest.mark.usefixtures("clean_db")
def test_home_page_answers(app):
    response = app.get("/")
    assert response.status_code == 200
