"""The portal prepares, at start, what concurrent first requests would race for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ckan.plugins as plugins
from ckan.common import config

from ckanext.vnopendata.ops import startup


def test_the_asset_cache_folder_exists_once_the_plugin_is_configured(
    _session_app: Any, ckan_config: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    # A fresh storage folder (not the running app's: its cache holds the
    # compiled assets' versions that later pages need).
    monkeypatch.setitem(ckan_config, "ckan.webassets.path", str(tmp_path))
    folder = tmp_path / startup.ASSET_CACHE_FOLDER
    assert not folder.exists()
    # What CKAN runs when the application loads, before any request.
    plugins.get_plugin("vnopendata").configure(config)
    assert os.path.isdir(folder)
    # Loading again (another worker, the same storage) is harmless.
    plugins.get_plugin("vnopendata").configure(config)
    assert os.path.isdir(folder)
