"""What the portal prepares once, before it answers any request."""

from __future__ import annotations

import os

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
