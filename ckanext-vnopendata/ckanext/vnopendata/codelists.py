"""National and project code lists, read from `schemas/codelists/*.yaml`.

Each file carries its legal source, version and date next to the items, so
an update of a list is a data change reviewed like any other. Codes are
strings (province "01" keeps its leading zero).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

PACKAGE = "ckanext.vnopendata.schemas"
DIRECTORY = "codelists"
SHARING_CLASSES = "sharing_classes"


@dataclass(frozen=True)
class CodeItem:
    code: str
    label: dict[str, str]
    # Whatever else the list carries per item (eu_theme, iri, successor...).
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("vi") or self.code


@dataclass(frozen=True)
class CodeList:
    name: str
    title: dict[str, str]
    source: str
    source_url: str
    version: str
    date: str
    items: tuple[CodeItem, ...]
    # Whatever else the file carries at the top (confidence, valid_until,
    # requester_types...).
    extra: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def by_code(self) -> dict[str, CodeItem]:
        return {item.code: item for item in self.items}

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.by_code

    def label(self, code: str, lang: str) -> str:
        item = self.by_code.get(code)
        return item.text(lang) if item else code


_HEADER = ("codelist", "title", "source", "source_url", "version", "date", "items")


def _parse(name: str, raw: dict[str, Any]) -> CodeList:
    items = []
    for entry in raw["items"]:
        entry = dict(entry)
        code = str(entry.pop("code"))
        label = entry.pop("label")
        items.append(CodeItem(code=code, label=label, extra=entry))
    return CodeList(
        name=name,
        title=raw["title"],
        source=raw["source"],
        source_url=raw.get("source_url", ""),
        version=str(raw["version"]),
        date=str(raw["date"]),
        items=tuple(items),
        extra={key: value for key, value in raw.items() if key not in _HEADER},
    )


def _sharing_classes() -> CodeList:
    # The sharing classes live in code (sharing/classes.py, the one source
    # of truth every part imports); exposing them as a code list lets forms,
    # validators and facets treat them like any other list.
    from ckanext.vnopendata.sharing import classes

    return CodeList(
        name=SHARING_CLASSES,
        title={"vi": "Phân loại theo tính chất chia sẻ", "en": "Sharing class"},
        source="Law on Data 60/2024/QH15 Art 13(1)(a)",
        source_url=("https://thuviennhadat.vn/vbpl/luat-du-lieu-2024-so-60-2024-qh15-621343.html"),
        version="60/2024/QH15",
        date="2025-07-01",
        items=tuple(
            CodeItem(
                code=c.key,
                label={"vi": c.label_vi, "en": c.label_en},
                extra={"access_right": c.access_right_iri},
            )
            for c in classes.SHARING_CLASSES
        ),
    )


@functools.cache
def get(name: str) -> CodeList:
    """The code list `name` (the file name without `.yaml`).

    Cached for the life of the process: the files ship with the code and
    change only with a release.
    """
    if name == SHARING_CLASSES:
        return _sharing_classes()
    path = resources.files(PACKAGE).joinpath(DIRECTORY, f"{name}.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"unknown code list: {name}") from None
    return _parse(name, yaml.safe_load(text))


def names() -> list[str]:
    folder = resources.files(PACKAGE).joinpath(DIRECTORY)
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def province_for_former_code(former_code: str) -> str | None:
    """The current province code for a pre-1/7/2025 province code."""
    item = get("former_provinces").by_code.get(former_code)
    return item.extra["successor"] if item else None


@dataclass(frozen=True)
class FeeRule:
    """What one type of requester pays for a dataset's data (Law on Data
    Art 38)."""

    requester_type: str
    label: dict[str, str]
    citation: dict[str, str]
    # A code of the `fees` list, or None when the dataset does not say.
    fee: str | None


def fee_rules(dataset_fee: str | None) -> list[FeeRule]:
    """The fee per requester type for a dataset whose `fee` field (the fee
    for the requesters of khoản 3 Điều 38) is `dataset_fee`.

    State bodies and people using their own data never pay (khoản 1 and 2);
    the law leaves only the others' fee to the dataset.
    """
    rules = []
    for entry in get("fees").extra["requester_types"]:
        fee = entry["fee"] if entry["fee"] is not None else dataset_fee
        rules.append(
            FeeRule(
                requester_type=entry["code"],
                label=entry["label"],
                citation=entry["citation"],
                fee=fee or None,
            )
        )
    return rules


def sensitive_personal_data_categories() -> set[str]:
    """Codes of the personal-data categories that are sensitive (Decree
    356/2025 Art 4)."""
    return {
        item.code
        for item in get("personal_data_categories").items
        if item.extra.get("level") == "sensitive"
    }
