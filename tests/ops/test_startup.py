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


def test_compiled_assets_are_served_as_built_only_once_they_all_exist(
    tmp_path: Path, caplog: Any, monkeypatch: Any
) -> None:
    from webassets import Bundle, Environment

    # The warning is read from the module's own logger: the test settings'
    # `ckanext` logger does not propagate to the root, where caplog listens,
    # once a test before this one has loaded them (CKAN's load_config).
    monkeypatch.setattr(startup.log, "disabled", False)
    monkeypatch.setattr(startup.log, "handlers", [*startup.log.handlers, caplog.handler])

    (tmp_path / "a.js").write_text("var a = 1;\n", "utf-8")
    env = Environment(str(tmp_path), "/assets")
    env.register("a", Bundle("a.js", output="out/a.%(version)s.js"))

    # Not built: pages would name a file that does not exist.
    assert startup.freeze_assets(env) is False
    assert env.auto_build is True
    assert "ckan asset build" in caplog.text

    env["a"].build()  # what `ckan asset build` does for every bundle
    assert startup.freeze_assets(env) is True
    assert env.auto_build is False
    (url,) = env["a"].urls()
    built = tmp_path / url.removeprefix("/assets/").split("?")[0]
    assert built.read_text("utf-8") == "var a = 1;\n"

    # A source changed after the build is not looked at any more.
    (tmp_path / "a.js").write_text("var a = 2;\n", "utf-8")
    os.utime(tmp_path / "a.js", (2_000_000_000, 2_000_000_000))
    assert env["a"].urls() == [url]


def test_ckans_registries_are_filled_before_any_request() -> None:
    from ckan import authz, logic

    logic.clear_actions_cache()
    logic.clear_validators_cache()
    authz.clear_auth_functions_cache()
    startup.fill_registries()
    # Read without the getters, which would fill them on the spot.
    assert "package_create" in logic._actions
    assert "package_create" in authz._AuthFunctions._functions
    assert "vnopendata_dataset_submit" in authz._AuthFunctions._functions
    assert "not_empty" in logic._validators_cache
