"""One entry point for the production server: `make serve-prod` and the
docker/ image start the same supervised unit; production.ini builds on
ckan.ini with HTTPS-only cookies and JSON logs."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_and_docker_start_the_same_unit():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = makefile[makefile.index("\nserve-prod:") :].split("\n\n")[0]
    assert "-m ckanext.vnopendata.ops.serve prod" in recipe
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text("utf-8")
    (cmd,) = re.findall(r"^CMD (.*)$", dockerfile, re.M)
    assert cmd.startswith('["python", "-m", "ckanext.vnopendata.ops.serve", "prod"')
    # make run: the development server with the job worker beside it.
    serve = makefile[makefile.index("\nserve:") :].split("\n\n")[0]
    assert "-m ckanext.vnopendata.ops.serve dev" in serve


def test_the_unit_commands():
    from ckanext.vnopendata.ops import serve

    args = serve.parser().parse_args(
        ["prod", "--config", "x.ini", "--workers", "3", "--threads", "5", "--job-workers", "2"]
    )
    procs = dict(serve.commands(args))
    web = procs["web"]
    assert web[web.index("--workers") + 1] == "3" and web[web.index("--threads") + 1] == "5"
    assert int(web[web.index("--keep-alive") + 1]) > 60  # longer than a balancer's idle timeout
    assert web[-1] == "ckanext.vnopendata.ops.wsgi:application"
    assert procs["jobs-1"][-2:] == procs["jobs-2"][-2:] == ["jobs", "worker"]
    assert serve.preparations(args) == [[serve._bin("ckan"), "-c", "x.ini", "asset", "build"]]
    dev_args = serve.parser().parse_args(["dev", "--bind", "127.0.0.1:5104"])
    assert serve.preparations(dev_args) == []
    dev = dict(serve.commands(dev_args))
    assert dev["web"][-5:] == ["run", "--host", "127.0.0.1", "--port", "5104"]
    assert dev["jobs-1"][-2:] == ["jobs", "worker"]


def test_production_config_builds_on_ckan_ini(tmp_path):
    base = tmp_path / "ckan.ini"
    prod = tmp_path / "production.ini"
    common = [
        "--sqlalchemy-url",
        "postgresql://u:p@h/d",
        "--redis-url",
        "redis://h:6379/0",
        "--storage-path",
        str(tmp_path / "storage"),
    ]
    script = str(ROOT / "scripts" / "write_config.py")
    subprocess.run([sys.executable, script, str(base), *common], check=True)
    subprocess.run(
        [sys.executable, script, str(prod), "--template", "production.ini.tmpl", *common],
        check=True,
    )
    from ckan.cli import CKANConfigLoader

    loaded = CKANConfigLoader(str(prod)).get_config()
    for key in (
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "REMEMBER_COOKIE_SECURE",
        "REMEMBER_COOKIE_HTTPONLY",
    ):
        assert str(loaded[key]).lower() == "true", key
    # Everything else comes from ckan.ini: the same secrets, the same database.
    base_loaded = CKANConfigLoader(str(base)).get_config()
    assert loaded["SECRET_KEY"] == base_loaded["SECRET_KEY"]
    assert loaded["sqlalchemy.url"] == "postgresql://u:p@h/d"
    assert loaded["ckan.plugins"] == base_loaded["ckan.plugins"]
    logging_sections = configparser.RawConfigParser()
    logging_sections.read(prod)
    assert (
        logging_sections["formatter_json"]["class"] == "ckanext.vnopendata.ops.logs.JsonFormatter"
    )
