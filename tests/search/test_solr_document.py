"""The search document lists multi-valued fields element by element, for the
stock Solr indexer as for the PostgreSQL one."""

from __future__ import annotations

import json

import ckan.plugins as plugins


def _solr_style_doc(provinces: list[str]) -> dict:
    # What CKAN's own indexer holds before plugins run: extras copied into
    # the main namespace as the strings CKAN stores.
    return {
        "type": "dataset",
        "provinces": json.dumps(provinces),
        "language": '["vi", "en"]',
        "sharing_method": '["download"]',
        "title": "[Bản nháp] không phải danh sách",
    }


def test_multi_valued_fields_become_lists_for_every_indexer():
    doc = _solr_style_doc(["01", "79"])
    for plugin in plugins.PluginImplementations(plugins.IPackageController):
        doc = plugin.before_dataset_index(doc)
    assert doc["provinces"] == ["01", "79"]
    assert doc["language"] == ["vi", "en"]
    assert doc["sharing_method"] == ["download"]
    # Only the schema's multi-valued fields are touched.
    assert doc["title"] == "[Bản nháp] không phải danh sách"


def test_a_value_that_is_not_json_is_left_as_it_is():
    doc = dict(_solr_style_doc([]), provinces="[01")
    for plugin in plugins.PluginImplementations(plugins.IPackageController):
        doc = plugin.before_dataset_index(doc)
    assert doc["provinces"] == "[01"
