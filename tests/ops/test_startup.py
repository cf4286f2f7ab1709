"""The portal prepares, at start, what concurrent first requests would race for."""

from __future__ import annotations

import os
import shutil
from typing import Any

import ckan.plugins as plugins
from ckan.common import config
from ckan.lib.webassets_tools import get_webassets_path

from ckanext.vnopendata.ops import startup


def test_the_asset_cache_folder_exists_once_the_plugin_is_configured(
    _session_app: Any,
) -> None:
    folder = os.path.join(get_webassets_path(), startup.ASSET_CACHE_FOLDER)
    shutil.rmtree(folder, ignore_errors=True)
    assert not os.path.isdir(folder)
    # What CKAN runs when the application loads, before any request.
    plugins.get_plugin("vnopendata").configure(config)
    assert os.path.isdir(folder)
    # Loading again (another worker, the same storage) is harmless.
    plugins.get_plugin("vnopendata").configure(config)
    assert os.path.isdir(folder)
