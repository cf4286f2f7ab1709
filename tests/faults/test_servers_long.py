"""Long fault tests (`make test-faults`): the production unit (gunicorn +
job worker, as `make serve-prod` runs it) on a PRIVATE PostgreSQL cluster
and a PRIVATE Redis that these tests start themselves (initdb/pg_ctl and
redis-server, each on a Unix socket in a temporary folder), so that
restarting or stopping them never touches the machine's shared servers.

- PostgreSQL restarted while four editors create datasets: every request
  succeeds or gets a clear 503; nothing is half-written (every dataset the
  database holds is in the search index and `ckan search-index check`
  finds nothing missing); the portal answers again within seconds without
  a restart of its own.
- Redis stopped: pages, search and the API keep answering; /health says
  the queue is down (200, "degraded"); writes still succeed; with Redis
  back the health is "ok" again. A mail decided while Redis is stopped is
  kept in PostgreSQL and queued by the web server once Redis is back.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from ckan.common import config

pytestmark = pytest.mark.long_fault

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("VNOPENDATA_TEST_PROD_PORT", "5114"))
BASE = f"http://127.0.0.1:{PORT}"
BIN = Path(sys.executable).parent


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    assert found and found[-1], f"{name} not found (Debian: apt-get install postgresql)"
    return found[-1]


def run(cmd, env=None, check=True, timeout=300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )
    if check:
        assert result.returncode == 0, (cmd, result.stdout[-2000:], result.stderr[-3000:])
    return result


def as_server_user() -> list[str]:
    # PostgreSQL refuses to run as root: as root, its programs run as the
    # `postgres` system user of Debian's package.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        import tempfile

        # A folder of its own that the server's user owns (pytest's folders
        # are private to root).
        own = Path(tempfile.mkdtemp(prefix="vnopendata-pg-"))
        if os.geteuid() == 0:
            shutil.chown(own, "postgres", "postgres")
        self.folder = own
        self.data = own / "pgdata"
        self.sock = own
        self.log = own / "pg.log"
        self.port = 5104
        run(
            [
                *as_server_user(),
                pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        self.start()
        run(
            [
                pg_bin("createdb"),
                "-h",
                str(self.sock),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "portal",
            ]
        )
        run(
            [
                pg_bin("psql"),
                "-h",
                str(self.sock),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "portal",
                "-c",
                "CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm",
            ]
        )
        self.url = f"postgresql://postgres@/portal?host={self.sock}&port={self.port}"

    def ctl(self, *args: str) -> None:
        run(
            [
                *as_server_user(),
                pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                *args,
            ]
        )

    def start(self) -> None:
        # No TCP at all: a Unix socket in the test's own folder.
        self.ctl("-o", f"-p {self.port} -k {self.sock} -c listen_addresses=''", "start")

    def restart(self) -> None:
        self.ctl(
            "-m", "fast", "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=''", "restart"
        )

    def stop(self) -> None:
        self.ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.sock = folder / "redis.sock"
        self.folder = folder
        self.url = f"unix://{self.sock}?db=0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(self.sock),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not self.sock.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.sock.exists()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("servers")
    pg = PrivatePostgres(folder)
    redis = PrivateRedis(folder)
    env = {
        "CKAN_SQLALCHEMY_URL": pg.url,
        "CKAN_REDIS_URL": redis.url,
        "CKAN_STORAGE_PATH": str(folder / "storage"),
        "CKAN_SITE_URL": BASE,
    }
    ini = config["__file__"]
    ckan = [str(BIN / "ckan"), "-c", ini]
    # The unit runs the production configuration over the test one, as
    # `make serve-prod` runs production.ini over ckan.ini.
    prod_ini = Path(ini).with_name("test-production.ini")
    run(
        [
            sys.executable,
            str(ROOT / "scripts" / "write_config.py"),
            str(prod_ini),
            "--force",
            "--template",
            "production.ini.tmpl",
            "--base-config",
            Path(ini).name,
            "--sqlalchemy-url",
            pg.url,
            "--redis-url",
            redis.url,
            "--storage-path",
            str(folder / "storage"),
        ]
    )
    run([*ckan, "db", "init"], env=env)
    for plugin in ("activity", "vnopendata"):
        run([*ckan, "db", "upgrade", "-p", plugin], env=env)
    run(
        [*ckan, "user", "add", "quan-tri", "email=qt@example.vn", "password=Mat-khau-dai-12"],
        env=env,
    )
    run([*ckan, "sysadmin", "add", "quan-tri"], env=env)
    token = run([*ckan, "user", "token", "add", "quan-tri", "faults"], env=env).stdout
    token = token.strip().splitlines()[-1].strip()
    log = open(folder / "unit.log", "wb")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ckanext.vnopendata.ops.serve",
            "prod",
            "--config",
            str(prod_ini),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, (folder / "unit.log").read_text()[-3000:]
            try:
                if requests.get(f"{BASE}/health", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the unit did not start"
            time.sleep(1)
        headers = {"Authorization": token}
        agency = requests.post(
            f"{BASE}/api/3/action/organization_create",
            json={
                "name": "bo-y-te",
                "title_translated": {"vi": "Bộ Y tế", "en": "MoH"},
                "agency_code": "000.00.00.G10",
                "agency_type": "ministry",
                "agency_level": "central",
            },
            headers=headers,
            timeout=60,
        )
        assert agency.status_code == 200, agency.text[:1000]
        yield {
            "pg": pg,
            "redis": redis,
            "env": env,
            "ckan": ckan,
            "headers": headers,
            "agency": agency.json()["result"],
            "folder": folder,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        redis.stop()
        pg.stop()


def dataset(agency_id: str, name: str) -> dict:
    from vn_schema_data import valid_dataset

    return valid_dataset(agency_id, name=name, identifier=f"000.00.00.G10.{name}")


def test_postgresql_restarted_while_editors_write(unit):
    results: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def editor(number: int) -> None:
        count = 0
        while not stop.is_set():
            name = f"ghi-{number}-{count:04d}"
            count += 1
            try:
                r = requests.post(
                    f"{BASE}/api/3/action/package_create",
                    json=dataset(unit["agency"]["id"], name),
                    headers=unit["headers"],
                    timeout=60,
                )
                results.append((name, r.status_code, r.text[:2000]))
            except requests.RequestException as error:
                results.append((name, -1, repr(error)))

    threads = [threading.Thread(target=editor, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(8)
    unit["pg"].restart()
    restarted = time.monotonic()
    # Back within seconds, without touching the portal.
    recovered = None
    while time.monotonic() - restarted < 30:
        try:
            if requests.get(f"{BASE}/health", timeout=10).status_code == 200:
                recovered = time.monotonic() - restarted
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(90)

    statuses = {}
    for _, status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    print("PostgreSQL restart:", json.dumps(statuses), "recovered after", recovered, "s")
    assert recovered is not None and recovered < 15, recovered
    assert statuses.get(200, 0) > 0
    for name, status, text in results:
        assert status in (200, 503), (name, status, text)
        if status == 503:
            assert "Cơ sở dữ liệu tạm thời không phản hồi" in json.loads(text)["error"]["message"]
    # Nothing half-written: the database and the index agree.
    check = run([*unit["ckan"], "search-index", "check"], env=unit["env"])
    assert "Packages not indexed = 0 out of" in check.stdout, check.stdout
    created = {name for name, status, _ in results if status == 200}
    found = requests.get(
        f"{BASE}/api/3/action/package_search",
        params={"q": "name:ghi-*", "rows": 1000, "fl": "name"},
        headers=unit["headers"],
        timeout=60,
    ).json()["result"]
    names = {d["name"] for d in found["results"]}
    assert created <= names
    # A refused create either left nothing or (commit before the drop) a whole dataset.
    for name, status, _ in results:
        if status == 503 and name in names:
            shown = requests.get(
                f"{BASE}/api/3/action/package_show",
                params={"id": name},
                headers=unit["headers"],
                timeout=60,
            )
            assert shown.status_code == 200


def test_redis_stopped_reading_and_search_keep_working(unit):
    unit["redis"].stop()
    try:
        for path in (
            "/",
            "/dataset/",
            "/dataset/?q=ghi",
            "/api/3/action/package_search?q=ghi",
            "/catalog.ttl",
        ):
            r = requests.get(f"{BASE}{path}", timeout=60)
            assert r.status_code == 200, (path, r.status_code, r.text[:500])
        health = requests.get(f"{BASE}/health", timeout=60)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded" and body["jobs"]["ok"] is False
        assert body["database"]["ok"] and body["search"]["ok"]
        created = requests.post(
            f"{BASE}/api/3/action/package_create",
            json=dataset(unit["agency"]["id"], "khi-redis-dung"),
            headers=unit["headers"],
            timeout=60,
        )
        assert created.status_code in (200, 503), created.text[:500]
        if created.status_code == 503:
            assert "Redis" in created.json()["error"]["message"]
    finally:
        unit["redis"].start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if requests.get(f"{BASE}/health", timeout=30).json()["status"] == "ok":
            break
        time.sleep(1)
    assert requests.get(f"{BASE}/health", timeout=30).json()["status"] == "ok"


def _kept_mails(unit) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(unit["pg"].url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT count(*) FROM vnopendata_mail_outbox")
            ).scalar_one()
    finally:
        engine.dispose()


def test_mail_while_redis_is_stopped_is_kept_and_queued_when_it_returns(unit):
    # A citizen asks for an inter-agency dataset whose description is public:
    # the agency's admin is mailed.
    restricted = requests.post(
        f"{BASE}/api/3/action/package_create",
        json={
            **dataset(unit["agency"]["id"], "dung-chung-redis"),
            "sharing_class": "inter_agency",
            "metadata_visible": True,
        },
        headers=unit["headers"],
        timeout=60,
    )
    assert restricted.status_code == 200, restricted.text[:500]
    run([*unit["ckan"], "user", "add", "cong-dan", "email=cd@example.vn",
         "password=Mat-khau-dai-12"], env=unit["env"])  # fmt: skip
    token = run([*unit["ckan"], "user", "token", "add", "cong-dan", "faults"], env=unit["env"])
    citizen = {"Authorization": token.stdout.strip().splitlines()[-1].strip()}
    assert _kept_mails(unit) == 0
    unit["redis"].stop()
    try:
        asked = requests.post(
            f"{BASE}/api/3/action/vnopendata_access_request_create",
            json={
                "package_id": "dung-chung-redis",
                "purpose": "Đối chiếu số liệu phục vụ nghiên cứu",
                "legal_basis": "Luật Dữ liệu 60/2024/QH15, Điều 17",
                "items": ["Tệp CSV"],
                "duration_days": 30,
                "contact": "cd@example.vn",
                "requester_type": "data_subject",
            },
            headers=citizen,
            timeout=60,
        )
        # The request is saved; its mail waits in PostgreSQL.
        assert asked.status_code == 200, asked.text[:500]
        assert _kept_mails(unit) == 1
    finally:
        unit["redis"].start()
    # Each web process looks at the kept mails about every 30 s, after a
    # response: requests go on, as they would on a live portal.
    deadline = time.monotonic() + 90
    while _kept_mails(unit) and time.monotonic() < deadline:
        requests.get(f"{BASE}/health", timeout=30)
        time.sleep(1)
    assert _kept_mails(unit) == 0
    log = (unit["folder"] / "unit.log").read_text("utf-8", errors="replace")
    assert "Queued 1 kept mail(s)" in log


def test_production_cookies_are_secure_and_http_only(unit):
    # The login form sets the session cookie: over the production config it
    # is Secure and HttpOnly (the proxy serves it over HTTPS).
    session = requests.Session()
    page = session.get(f"{BASE}/user/login", timeout=60)
    cookies = page.headers.get("Set-Cookie", "")
    import re

    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    response = session.post(
        f"{BASE}/user/login",
        data={
            "login": "quan-tri",
            "password": "Mat-khau-dai-12",
            "_csrf_token": token.group(1) if token else "",
        },
        allow_redirects=False,
        timeout=60,
    )
    cookies += "\n" + response.headers.get("Set-Cookie", "")
    set_cookies = [c for c in cookies.split("\n") if c.strip()]
    assert set_cookies, "no cookie was set"
    for cookie in set_cookies:
        lowered = cookie.lower()
        assert "secure" in lowered and "httponly" in lowered, cookie
