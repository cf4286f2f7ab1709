"""Load benchmark: the production server (gunicorn + job worker, the unit of
`make serve-prod`) on loopback, driven by locust used as a library.

    .venv/bin/python benchmarks/load.py --datasets 10000 --users 50 --duration 300

1. Prepares the catalogue in a database of its own (``vnopendata_ops_bench``,
   written with the corpus builder of benchmarks/search.py: N datasets, 20
   agencies) and an agency editor with an API token.
2. Starts the production unit on 127.0.0.1:--port (5104) with that database,
   unless --url names a running one.
3. Runs locust in a virtualenv of its own (var/locust-venv, created with
   ``pip install locust==2.47.0`` if missing: locust's web stack must not
   touch CKAN's pins), loopback only, bounded by --duration seconds and
   --max-requests requests, with this mix of users:

   - visitors (weight 10): home, search pages with facets, dataset pages,
     resource downloads (``page``; ``download``);
   - API clients (6): ``package_search`` with filters and facets
     (``api_search``), ``package_show`` (``api_show``);
   - harvesters (1): walk the catalogue page by page (``dcat_page``): the
     DCAT feed from ``/catalog.ttl`` along its ``hydra:next`` links, as
     ckanext-dcat's harvester does, when the portal serves it, otherwise
     CKAN's paged ``package_search`` (rows=100);
   - agency editors (1): create a dataset, then update it (``write``).

The last line printed is one JSON object: users, duration_s, requests, rps,
errors_5xx, errors_other, and for each request kind its requests, p50_ms,
p95_ms, p99_ms; plus what was walked for dcat_page, the goals, and
cpu_reference_ms (a fixed piece of Python timed before the server starts
and after it stops: how fast the shared machine was).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "vnopendata_ops_bench"
DEFAULT_DB_URL = f"postgresql://vnopendata:vnopendata@127.0.0.1:5432/{DB_NAME}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
LOCUST_VENV = ROOT / "var" / "locust-venv"
LOCUST_PIN = "locust==2.47.0"
FIXTURE = ROOT / "var" / "load-fixture.json"
GOALS = {"page_p95_ms": 500.0, "api_search_p95_ms": 150.0, "errors_5xx": 0}
KINDS = ("page", "download", "api_search", "api_show", "dcat_page", "write")


# --- preparation (CKAN's virtualenv) ------------------------------------------


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import search as corpus  # benchmarks/search.py

    corpus.DB_NAME = DB_NAME
    corpus.prepare_environment(args.ini, args.db_url, args.redis_url)
    flask_app = corpus.load_ckan(args.ini)
    with flask_app.test_request_context():
        from ckan.logic import get_action

        catalogue = corpus.existing_catalogue(args.datasets)
        if catalogue is None:
            print(f"building {args.datasets} datasets...", file=sys.stderr, flush=True)
            catalogue = corpus.build_corpus(args.datasets, args.seed)
            corpus.measure_rebuild()  # fills the search index
        # The feed serves stored pieces: built here, as the portal keeps
        # them, not at read time during the run.
        import sqlalchemy as sa
        from ckan import model

        from ckanext.vnopendata.dcat import pieces
        from ckanext.vnopendata.model.dcat import dcat_piece_table

        active = model.Session.execute(
            sa.text("SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'")
        ).scalar_one()
        stored = model.Session.execute(
            sa.select(sa.func.count()).select_from(dcat_piece_table)
        ).scalar_one()
        if stored < active:
            print(f"building the DCAT pieces of {active} datasets...", file=sys.stderr, flush=True)
            pieces.rebuild()
        context = {"user": corpus.SYSADMIN, "ignore_auth": True}
        token = get_action("api_token_create")(
            context, {"user": corpus.AGENCY_USER, "name": f"load-{int(time.time())}"}
        )["token"]
        # What a visitor can open: datasets an anonymous search finds.
        visible = get_action("package_search")(
            {"user": "", "ignore_auth": False}, {"q": "*:*", "rows": 1000}
        )["results"]
        names = [d["name"] for d in visible]
        resources = [(r["id"], d["id"]) for d in visible for r in d.get("resources", [])][:500]
        fixture = {
            "token": token,
            "owner_org": catalogue.org_ids[catalogue.agency_org],
            "datasets": names,
            "resources": [list(r) for r in resources],
            # Codes of the sectors code list ("transport" is not one: the
            # editors' creates that drew it were refused with 409).
            "sectors": ["health", "education", "finance", "infrastructure", "agriculture"],
        }
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture), "utf-8")
    return fixture


def start_unit(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    log = open(ROOT / "var" / "load-server.log", "wb")  # noqa: SIM115 - lives with the server
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    unit = subprocess.Popen(
        [
            sys.executable, "-m", "ckanext.vnopendata.ops.serve", "prod",
            "--config", str(args.ini), "--bind", f"127.0.0.1:{args.port}",
            "--workers", str(args.workers), "--threads", str(args.threads),
        ],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    import urllib.request

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if unit.poll() is not None:
            raise SystemExit("the production server stopped: see var/load-server.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/health", timeout=30) as r:
                if r.status == 200:
                    return unit
        except OSError:
            time.sleep(1)
    unit.terminate()
    raise SystemExit("the production server did not answer /health")


def ensure_locust() -> Path:
    python = LOCUST_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import locust"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", LOCUST_PIN], check=True)
    return python


# --- the load (locust's virtualenv) -------------------------------------------


def run_locust(args: argparse.Namespace) -> dict[str, Any]:
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    fixture = json.loads(FIXTURE.read_text("utf-8"))
    host = args.url.rstrip("/")
    assert host.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")), (
        "loopback only"
    )
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    counts = {"requests": 0, "errors_5xx": 0, "errors_other": 0}
    walked = {"feed": None, "pages": 0}
    error_kinds: dict[str, int] = {}
    # The first answer of each kind of error, to say why it was refused.
    error_samples: dict[str, str] = {}
    rng = random.Random(args.seed)
    names = fixture["datasets"]
    headers_editor = {"Authorization": fixture["token"]}

    def on_request(request_type, name, response_time, response_length, response=None,
                   exception=None, **kwargs):  # fmt: skip
        kind = name.split(":", 1)[0]
        counts["requests"] += 1
        status = getattr(response, "status_code", 0) or 0
        if status >= 500:
            counts["errors_5xx"] += 1
            key = f"{name} {status}"
            error_kinds[key] = error_kinds.get(key, 0) + 1
            error_samples.setdefault(key, (getattr(response, "text", "") or "")[:300])
        elif exception is not None or status >= 400 or status == 0:
            counts["errors_other"] += 1
            key = f"{name} {status or type(exception).__name__}"
            error_kinds[key] = error_kinds.get(key, 0) + 1
            if key not in error_samples:
                text = getattr(response, "text", "") if response is not None else str(exception)
                error_samples[key] = (text or str(exception))[:300]
        else:
            timings.setdefault(kind, []).append(response_time)
        if counts["requests"] >= args.max_requests and env.runner is not None:
            env.runner.quit()

    class Visitor(HttpUser):
        weight = 10
        wait_time = between(1, 3)

        @task(2)
        def home(self) -> None:
            self.client.get("/", name="page:home")

        @task(4)
        def search(self) -> None:
            params = {"q": rng.choice(["dữ liệu", "ha noi", "y tế", "", "giáo dục"])}
            if rng.random() < 0.5:
                params["sector"] = rng.choice(fixture["sectors"])
            self.client.get("/dataset/", params=params, name="page:search")

        @task(4)
        def dataset(self) -> None:
            self.client.get(f"/dataset/{rng.choice(names)}", name="page:dataset")

        @task(1)
        def download(self) -> None:
            if fixture["resources"]:
                rid, pid = rng.choice(fixture["resources"])
                self.client.get(f"/dataset/{pid}/resource/{rid}", name="download:resource")

    class ApiClient(HttpUser):
        weight = 6
        wait_time = between(0.5, 2)

        @task(3)
        def package_search(self) -> None:
            params = {
                "q": rng.choice(["dữ liệu", "ha noi", "*:*", "y te", "name:bench-1*"]),
                "rows": 20,
                "facet.field": '["organization","tags","res_format","sector"]',
            }
            if rng.random() < 0.5:
                params["fq"] = f"sector:{rng.choice(fixture['sectors'])}"
            self.client.get("/api/3/action/package_search", params=params,
                            name="api_search:package_search")  # fmt: skip

        @task(2)
        def package_show(self) -> None:
            self.client.get("/api/3/action/package_show", params={"id": rng.choice(names)},
                            name="api_show:package_show")  # fmt: skip

    class Harvester(HttpUser):
        weight = 1
        wait_time = between(0.5, 1)

        def on_start(self) -> None:
            self.page = 1
            self.url = "/catalog.ttl"
            if walked["feed"] is None:
                probe = self.client.get("/catalog.ttl", name="dcat_page:probe")
                walked["feed"] = "dcat" if probe.status_code == 200 else "package_search"

        @task
        def next_page(self) -> None:
            if walked["feed"] == "dcat":
                # As a harvester walks the feed: along hydra:next, whose
                # links carry the walk (its start and position).
                response = self.client.get(self.url, name="dcat_page:catalog.ttl")
                following = None
                if response.status_code == 200:
                    body = response.text
                    start = body.find("hydra:next ")
                    if start >= 0:
                        following = urlsplit(body[start:].split('"', 2)[1])
                self.url = f"{following.path}?{following.query}" if following else "/catalog.ttl"
                more = following is not None
            else:
                response = self.client.get(
                    "/api/3/action/package_search",
                    params={"q": "*:*", "rows": 100, "start": (self.page - 1) * 100,
                            "sort": "metadata_modified desc"},
                    name="dcat_page:package_search",
                )  # fmt: skip
                more = response.status_code == 200 and bool(
                    response.json().get("result", {}).get("results")
                )
            walked["pages"] += 1
            self.page = self.page + 1 if more else 1

    class Editor(HttpUser):
        weight = 1
        wait_time = between(2, 5)

        @task
        def create_and_update(self) -> None:
            name = f"load-{os.getpid()}-{rng.getrandbits(40):x}"
            data = {
                "name": name,
                "title_translated": {"vi": f"Bộ dữ liệu thử tải {name}", "en": f"Load {name}"},
                "notes_translated": {"vi": "Dữ liệu thử tải.", "en": "Load test data."},
                "owner_org": fixture["owner_org"],
                "identifier": f"000.00.01.G01.{name}",
                "language": ["vi"],
                "contact_name": "Cán bộ thử tải",
                "contact_email": "thutai@example.gov.vn",
                "sharing_class": "open",
                "importance": "other",
                "personal_data": "none",
                "sector": rng.choice(fixture["sectors"]),
                "issued": "2025-01-15",
                "license_id": "CC-BY-4.0",
                "no_state_secret": True,
            }
            created = self.client.post(
                "/api/3/action/package_create",
                json=data,
                headers=headers_editor,
                name="write:package_create",
            )
            if created.status_code == 200:
                self.client.post(
                    "/api/3/action/package_patch",
                    json={"id": name, "notes_translated": {"vi": "Đã cập nhật.", "en": "Updated."}},
                    headers=headers_editor,
                    name="write:package_patch",
                )

    env = Environment(user_classes=[Visitor, ApiClient, Harvester, Editor], host=host)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.duration, runner.quit)
    runner.greenlet.join()
    elapsed = time.monotonic() - started

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)

    kinds = {
        kind: {
            "requests": len(values),
            "p50_ms": pct(values, 0.50),
            "p95_ms": pct(values, 0.95),
            "p99_ms": pct(values, 0.99),
        }
        for kind, values in timings.items()
    }
    result = {
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "requests": counts["requests"],
        "rps": round(counts["requests"] / elapsed, 1),
        "errors_5xx": counts["errors_5xx"],
        "errors_other": counts["errors_other"],
        "kinds": kinds,
        "dcat_walk": walked,
        "errors_by_request": error_kinds,
        "error_samples": error_samples,
        "datasets": args.datasets,
    }
    result["goals_met"] = {
        "errors_5xx": counts["errors_5xx"] == GOALS["errors_5xx"],
        "page_p95_ms": (kinds["page"]["p95_ms"] or 1e9) <= GOALS["page_p95_ms"],
        "api_search_p95_ms": (kinds["api_search"]["p95_ms"] or 1e9) <= GOALS["api_search_p95_ms"],
        # The mix is only the issue's mix when the editors' writes succeed.
        "writes_succeeded": kinds.get("write", {}).get("requests", 0) > 0,
    }
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=float, default=300, help="seconds (300)")
    parser.add_argument("--max-requests", type=int, default=200000)
    parser.add_argument("--port", type=int, default=5104)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="a running server (loopback) instead of starting one")
    parser.add_argument("--ini", type=Path, default=ROOT / "config" / "bench-ops.ini")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--locust-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.locust_only:
        print(json.dumps(run_locust(args), ensure_ascii=False), flush=True)
        return 0
    import signal

    # SIGTERM ends the run like Ctrl-C: the server below is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    prepare(args)
    from search import cpu_reference_ms  # benchmarks/search.py, on the path since prepare

    # The machine's speed before the server starts and after it stops (the
    # same fixed piece of Python as the search benchmark times): the 2-core
    # machines this runs on are shared, and a run is comparable with
    # another only where these agree.
    reference = {"start": cpu_reference_ms()}
    unit = None
    if not args.url:
        unit = start_unit(args)
        args.url = f"http://127.0.0.1:{args.port}"
    try:
        python = ensure_locust()
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--url"]
        result = subprocess.run(
            [str(python), __file__, *forwarded, "--url", args.url, "--locust-only"],
            capture_output=True,
            text=True,
        )
        sys.stderr.write(result.stderr[-5000:])
        if result.returncode != 0:
            return result.returncode
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        if unit is not None:
            unit.terminate()
            unit.wait(60)
    reference["end"] = cpu_reference_ms()
    summary["cpu_reference_ms"] = reference
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
