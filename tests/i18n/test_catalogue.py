"""The Vietnamese catalogue covers every string of the extension.

Messages are extracted from the source with Babel and the project's own
mapping (babel.cfg, the same run as `make extract-i18n`); every one of them
must have a Vietnamese translation that is neither empty nor fuzzy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "i18n" / "vi" / "LC_MESSAGES" / "ckanext-vnopendata.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, object]:
    pot = tmp_path_factory.mktemp("i18n") / "ckanext-vnopendata.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_ ungettext:1,2 N_",
            "-o",
            str(pot),
            "--no-wrap",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    return {
        message.id if isinstance(message.id, str) else message.id[0]: message
        for message in catalog
        if message.id
    }


@pytest.fixture(scope="module")
def vietnamese():
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_extraction_finds_the_extension_strings(extracted):
    # A broken mapping extracts nothing, which would make the next test pass.
    assert "Sharing class" in extracted
    assert "Statistics" in extracted
    assert len(extracted) > 50


def test_every_extension_string_has_a_vietnamese_translation(extracted, vietnamese):
    missing = []
    for msgid, message in extracted.items():
        translated = vietnamese.get(message.id)
        strings = (
            []
            if translated is None
            else list(translated.string)
            if isinstance(translated.string, tuple)
            else [translated.string]
        )
        if not strings or not all(strings):
            missing.append(msgid)
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_no_entry_is_fuzzy_or_empty(vietnamese):
    bad = [
        message.id
        for message in vietnamese
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert not bad, bad


def test_the_catalogue_reads_strictly_with_one_entry_per_message():
    # CKAN builds the JavaScript translations with polib, which refuses what
    # Babel forgives (two msgstr lines after a union merge); a message
    # translated twice is ambiguous.
    import collections

    import polib

    entries = polib.pofile(str(PO))
    repeated = [
        msgid for msgid, count in collections.Counter(e.msgid for e in entries).items() if count > 1
    ]
    assert not repeated, repeated
