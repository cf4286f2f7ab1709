"""What the portal prepares once, before it answers any request."""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

# webassets' own name for its cache folder (webassets.cache.FilesystemCache,
# under the environment's directory).
ASSET_CACHE_FOLDER = ".webassets-cache"


def create_asset_cache() -> str:
    """Create CKAN's compiled-assets cache folder; return its path.

    On a fresh storage folder, the first requests of a threaded server each
    render a page and each create this folder: the thread that loses the race
    answered 500 (FileExistsError from webassets), seen as the first page of
    the load benchmark on a new server.
    """
    from ckan.lib.webassets_tools import get_webassets_path

    path = os.path.join(get_webassets_path(), ASSET_CACHE_FOLDER)
    os.makedirs(path, exist_ok=True)
    return path


def fill_registries() -> None:
    """Fill CKAN's registries of actions, auth functions and validators.

    CKAN fills each on first use, name by name and without a lock, after
    clearing them at start: a concurrent first request of a threaded
    worker could find one half-filled and answer 500 ("Authorization
    function not found: package_create", seen in the PostgreSQL-restart
    fault test). Called once the environment is loaded, before requests.
    """
    from ckan import authz, logic

    logic.get_action("package_show")
    authz.auth_functions_list()
    logic.get_validator("not_empty")


def check_mail_settings() -> bool:
    """Warn at start when the portal's mails cannot be sent; returns whether
    they can (as far as the settings tell)."""
    from ckanext.vnopendata.sharing import mail

    if mail.mail_from_set():
        return True
    log.warning(mail.MAIL_FROM_MISSING)
    return False


def freeze_assets(env: Any) -> bool:
    """Serve the compiled assets as built, without webassets checking their
    sources on every page; returns whether they are frozen.

    With `auto_build` (webassets' default), each asset a page includes has
    its source files' times and its cache entry read, on every page: ~6 % of
    a production worker's time under load. The production unit compiles
    every bundle first (`ckan asset build`, `serve.py`); only if each
    bundle's output exists is `auto_build` turned off, else it stays on
    (pages would name files that do not exist) and a warning says so.
    """
    from webassets.exceptions import BundleError

    env.auto_build = False
    missing = []
    for bundle in env:
        try:
            if bundle.output and not os.path.exists(bundle.resolve_output()):
                missing.append(str(bundle.output))
        except BundleError as error:
            missing.append(f"{bundle.output} ({error})")
    if missing:
        env.auto_build = True
        log.warning(
            "Compiled assets are missing (%s): they are checked and built on every page; "
            "run `ckan asset build` before starting the server.",
            ", ".join(missing[:5]),
        )
        return False
    return True
