"""Keep the stored DCAT pieces in step with the package search index.

Every write of a dataset reaches CKAN's package index (`update_dict`,
`insert_dict`, `remove_dict`) inside the action's transaction, whichever
engine searches. Wrapping the registered index class there stores the
dataset's pieces in the same transaction, from the same validated dict.
"""

from __future__ import annotations

from typing import Any

import ckan.lib.search as ckan_search

from ckanext.vnopendata.dcat import pieces

MARKER = "_vnopendata_dcat_pieces"


def _with_pieces(base: type) -> type:
    class WithDcatPieces(base):  # type: ignore[misc, valid-type]
        def _store(self, write: Any, data: dict[str, Any], *args: Any) -> None:
            # insert_dict may call update_dict: store once per write.
            outer = not getattr(self, "_storing", False)
            self._storing = True
            try:
                write(data, *args)
            finally:
                if outer:
                    self._storing = False
            if outer:
                pieces.store(data)

        def insert_dict(self, data: dict[str, Any]) -> None:
            self._store(super().insert_dict, data)

        def update_dict(self, data: dict[str, Any], defer_commit: bool = False) -> None:
            self._store(super().update_dict, data, defer_commit)

        def remove_dict(self, data: dict[str, Any]) -> None:
            pieces.remove(data["id"])
            super().remove_dict(data)

        def delete_package(self, pkg_dict: dict[str, Any]) -> None:
            pieces.remove(pkg_dict["id"])
            super().delete_package(pkg_dict)

    setattr(WithDcatPieces, MARKER, True)
    WithDcatPieces.__name__ = f"{base.__name__}WithDcatPieces"
    return WithDcatPieces


def install() -> None:
    """Wrap the registered package index (once; the search plugin may have
    just replaced it)."""
    current = ckan_search._INDICES["package"]
    if not getattr(current, MARKER, False):
        ckan_search._INDICES["package"] = _with_pieces(current)
