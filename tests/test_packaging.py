"""The extension installs as a wheel with everything it needs at run time:
schemas and code lists, translations, templates and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ckanext/vnopendata/"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = out.glob("ckanext_vnopendata-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "path",
    [
        "plugin.py",
        "config_declaration.yaml",
        "schemas/dataset.yaml",
        "schemas/organization.yaml",
        "schemas/presets.yaml",
        "schemas/codelists/provinces.yaml",
        "i18n/vi/LC_MESSAGES/ckanext-vnopendata.po",
        "i18n/vi/LC_MESSAGES/ckanext-vnopendata.mo",
        "migration/vnopendata/alembic.ini",
        "migration/vnopendata/env.py",
        "migration/vnopendata/script.py.mako",
    ],
)
def test_wheel_ships_runtime_file(wheel_names, path):
    assert PACKAGE + path in wheel_names


def test_wheel_ships_every_template_and_migration(wheel_names):
    source = ROOT / "ckanext-vnopendata" / "ckanext" / "vnopendata"
    for pattern in ("templates/**/*.html", "migration/vnopendata/versions/*.py"):
        for file in source.glob(pattern):
            assert PACKAGE + str(file.relative_to(source)) in wheel_names


def test_compiled_catalogue_matches_its_source():
    # The .mo is committed so that a plain `pip install .` is translated;
    # it must say what the .po says.
    for po_path in (ROOT / "i18n").glob("*/LC_MESSAGES/*.po"):
        po = polib.pofile(str(po_path))
        mo = {entry.msgid: entry.msgstr for entry in polib.mofile(str(po_path.with_suffix(".mo")))}
        for entry in po.translated_entries():
            assert mo.get(entry.msgid) == entry.msgstr, entry.msgid
