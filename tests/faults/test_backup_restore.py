"""Backup and restore as the README describes it: `pg_dump` of the
portal's database and a copy of the storage folder, restored on an empty
database, give the same catalogue, the same search results (for a visitor
and for a sysadmin), the same uploaded files, a complete search index, and
an audit log whose chain verifies, entry for entry the source's.

The restored copy is the database `vnopendata_ops_restore` on the same
server; it is dropped before and after.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import sqlalchemy as sa
from ckan.common import config
from search.helpers import text_table_differences_sql
from vn_schema_data import valid_dataset

RESTORED_DB = os.environ.get("VNOPENDATA_RESTORE_DB", "vnopendata_ops_restore")

# Runs in a process of its own against the given database and storage:
# what a visitor and a sysadmin find, and the bytes of every upload.
PROBE = r"""
import json, sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
from werkzeug.test import Client
conf = load_config(sys.argv[1])
client = Client(make_app(conf))
token = sys.argv[2]
out = {}
for who, headers in (("anonymous", {}), ("sysadmin", {"Authorization": token})):
    for q in ("*:*", "bệnh", "ha noi"):
        r = client.get("/api/3/action/package_search", query_string={
            "q": q, "rows": 1000, "sort": "name asc", "include_private": True,
            "facet.field": '["organization","tags","res_format","sharing_class"]'},
            headers=headers)
        body = json.loads(r.get_data(as_text=True))["result"]
        out[f"{who}:{q}"] = {
            "count": body["count"],
            "results": [(d["name"], d["metadata_modified"], d["title"],
                         [x.get("url") for x in d.get("resources", [])])
                        for d in body["results"]],
            "facets": body["search_facets"],
        }
from ckan.lib.uploader import get_resource_uploader
import ckan.model as model
files = {}
for res in model.Session.query(model.Resource).filter_by(url_type="upload"):
    path = get_resource_uploader({"id": res.id, "url_type": "upload"}).get_path(res.id)
    files[res.id] = open(path, "rb").read().hex()
out["files"] = files
print(json.dumps(out, sort_keys=True, ensure_ascii=False))
"""


def pg_url_parts(url: str) -> sa.engine.URL:
    return sa.engine.make_url(url)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert result.returncode == 0, (cmd[0], result.stderr[-3000:])
    return result


def admin_psql(url: sa.engine.URL, sql: str, database: str = "postgres") -> str:
    return run(
        [
            "psql",
            "-v",
            "ON_ERROR_STOP=1",
            "-qtA",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ]
    ).stdout


def probe(ini: str, token: str, env: dict[str, str]) -> dict:
    result = run([sys.executable, "-c", PROBE, ini, token], env={**os.environ, **env})
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dump_and_storage_restored_on_an_empty_database_give_the_same_portal(
    clean_db, app, tmp_path
):
    sysadmin = factories.SysadminWithToken()
    agency = factories.Organization(
        name="bo-y-te",
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code="000.00.00.G10",
        agency_type="ministry",
        agency_level="central",
        image_url="",
    )
    for number, sharing in enumerate(["open", "open", "inter_agency", "restricted"]):
        extra = {} if sharing == "open" else {"license_id": None}
        if sharing == "inter_agency":
            extra["exploitation_regulation_number"] = "12/2025/QĐ-BYT"
        helpers.call_action(
            "package_create",
            {"user": sysadmin["name"]},
            **valid_dataset(
                agency["id"],
                name=f"du-lieu-ha-noi-{number}",
                identifier=f"000.00.00.G10.du-lieu-{number}",
                sharing_class=sharing,
                **extra,
            ),
        )
    dataset = helpers.call_action("package_show", id="du-lieu-ha-noi-0")
    upload = app.post(
        "/api/3/action/resource_create",
        data={
            "package_id": dataset["id"],
            "name": "Tệp tải lên",
            "upload": (io.BytesIO("tỉnh,số ca\nHà Nội,12\n".encode()), "so-ca.csv"),
        },
        headers={"Authorization": sysadmin["token"]},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200, upload.get_data(as_text=True)[:500]

    source_url = pg_url_parts(config["sqlalchemy.url"])
    storage = Path(config["ckan.storage_path"])
    dump = tmp_path / "portal.dump"
    archive = tmp_path / "storage.tar.gz"
    # 1. Back up (README: "Backup and restore").
    env = {**os.environ, "PGPASSWORD": source_url.password or ""}
    run(
        [
            "pg_dump",
            "--format=custom",
            "--file",
            str(dump),
            "-h",
            source_url.host,
            "-p",
            str(source_url.port or 5432),
            "-U",
            source_url.username,
            source_url.database,
        ],
        env=env,
    )
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(storage, arcname="storage")

    # 2. Restore on an empty database and a new storage folder.
    admin_psql(source_url, f"DROP DATABASE IF EXISTS {RESTORED_DB}")
    admin_psql(
        source_url,
        f"CREATE DATABASE {RESTORED_DB} OWNER {source_url.username} "
        "ENCODING 'UTF8' TEMPLATE template0",
    )
    # The superuser creates the extensions first (README): the portal's role
    # may not create `rum`, and comments on extensions belong to their owner.
    extensions = admin_psql(
        source_url,
        "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'",
        source_url.database,
    ).split()
    assert "unaccent" in extensions
    admin_psql(
        source_url,
        "; ".join(f"CREATE EXTENSION IF NOT EXISTS {name}" for name in extensions),
        RESTORED_DB,
    )
    try:
        run(
            [
                "pg_restore",
                "--no-owner",
                "--no-comments",
                f"--role={source_url.username}",
                "-h",
                source_url.host,
                "-p",
                str(source_url.port or 5432),
                "-U",
                "postgres",
                "-d",
                RESTORED_DB,
                str(dump),
            ]
        )
        restored_storage = tmp_path / "restored"
        with tarfile.open(archive) as tar:
            tar.extractall(restored_storage, filter="data")
        restored_url = source_url.set(database=RESTORED_DB)

        ini = config["__file__"]
        before = probe(ini, sysadmin["token"], {})
        after = probe(
            ini,
            sysadmin["token"],
            {
                "CKAN_SQLALCHEMY_URL": restored_url.render_as_string(hide_password=False),
                "CKAN_STORAGE_PATH": str(restored_storage / "storage"),
            },
        )
        assert before["anonymous:*:*"]["count"] == 2
        assert before["sysadmin:*:*"]["count"] == 4
        assert len(before["files"]) == 1
        assert after == before

        check = run(
            [str(Path(sys.executable).parent / "ckan"), "-c", ini, "search-index", "check"],
            env={
                **os.environ,
                "CKAN_SQLALCHEMY_URL": restored_url.render_as_string(hide_password=False),
            },
        )
        assert "Packages not indexed = 0 out of 4" in check.stdout

        # The audit log came with the database, and its chain still verifies
        # there: the same entries as the source's.
        ckan = str(Path(sys.executable).parent / "ckan")
        chains = [
            run([ckan, "-c", ini, "vnopendata", "audit", "verify"], env={**os.environ, **env_db})
            for env_db in (
                {},
                {"CKAN_SQLALCHEMY_URL": restored_url.render_as_string(hide_password=False)},
            )
        ]
        source_chain, restored_chain = (chain.stdout.strip().splitlines()[-1] for chain in chains)
        assert source_chain.startswith("Audit log intact: "), source_chain
        assert restored_chain == source_chain
        assert int(source_chain.split()[3]) >= 4  # at least one entry a dataset
        # And the search index's narrow text copy is the index table's.
        differences = admin_psql(
            restored_url,
            f"SELECT count(*) FROM ({text_table_differences_sql()}) AS d",
            RESTORED_DB,
        )
        assert differences.strip() == "0"
    finally:
        admin_psql(source_url, f"DROP DATABASE IF EXISTS {RESTORED_DB} WITH (FORCE)")
        shutil.rmtree(tmp_path / "restored", ignore_errors=True)
