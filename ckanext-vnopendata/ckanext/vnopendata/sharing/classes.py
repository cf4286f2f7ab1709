"""The three sharing classes of the Law on Data 2024, Art 13(1)(a).

This module is the one source of truth for the classes: their keys, their
Vietnamese legal names, their English names and their DCAT access rights.
Schemas, validators, facets, templates, permission labels and the DCAT
profile all import from here.

Note the trap: the project's `restricted` (dữ liệu dùng riêng) is the EU
NON_PUBLIC access right, and `inter_agency` (dữ liệu dùng chung) is the EU
RESTRICTED one.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCESS_RIGHT_BASE = "http://publications.europa.eu/resource/authority/access-right/"


@dataclass(frozen=True)
class SharingClass:
    key: str
    # Legal names, in the wording of the Law on Data (not UI strings that a
    # translator may reword): they are data, shown as labels in both
    # languages and emitted in metadata.
    label_vi: str
    label_en: str
    # Short words for badges and facets ("mở / dùng chung / dùng riêng").
    short_vi: str
    short_en: str
    access_right: str
    # Anyone, without logging in, may see the metadata and the data.
    public: bool

    @property
    def access_right_iri(self) -> str:
        return ACCESS_RIGHT_BASE + self.access_right

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def short_label(self, lang: str) -> str:
        return self.short_en if lang == "en" else self.short_vi


OPEN = SharingClass(
    key="open",
    label_vi="Dữ liệu mở",
    label_en="Open data",
    short_vi="mở",
    short_en="open",
    access_right="PUBLIC",
    public=True,
)
INTER_AGENCY = SharingClass(
    key="inter_agency",
    label_vi="Dữ liệu dùng chung",
    label_en="Inter-agency (shared-use) data",
    short_vi="dùng chung",
    short_en="inter-agency",
    access_right="RESTRICTED",
    public=False,
)
RESTRICTED = SharingClass(
    key="restricted",
    label_vi="Dữ liệu dùng riêng",
    label_en="Restricted (private-use) data",
    short_vi="dùng riêng",
    short_en="restricted",
    access_right="NON_PUBLIC",
    public=False,
)

SHARING_CLASSES: tuple[SharingClass, ...] = (OPEN, INTER_AGENCY, RESTRICTED)
BY_KEY: dict[str, SharingClass] = {c.key: c for c in SHARING_CLASSES}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def get(key: str | None) -> SharingClass | None:
    return BY_KEY.get(key or "")


def must_be_private(key: str | None) -> bool:
    """Whether a dataset of this class must stay CKAN-private.

    Anything that is not a known public class counts as non-public, so a
    missing or unknown class can never make a dataset visible.
    """
    sharing_class = get(key)
    return sharing_class is None or not sharing_class.public
