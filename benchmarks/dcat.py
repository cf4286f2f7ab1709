"""DCAT benchmark: feed pages, whole-catalogue dump, piece rebuild, against
stock ckanext-dcat on the same data in the same run.

    python benchmarks/dcat.py --datasets 100000 [--ini config/bench-dcat.ini]

Builds the corpus of `benchmarks/search.py` (COPY, the project's scheming
fields) in a database of its own (``vnopendata_dcat_perf``), rebuilds the
search index and then measures:

- ``rebuild_per_s``: `ckan vnopendata dcat rebuild` (every dataset's full
  and metadata-only pieces, four formats each);
- ``page_ms_p50`` / ``page_ms_p95``: `GET /catalog.ttl` through the whole
  CKAN stack (Flask test client), 100 datasets a page, a harvester's walk
  along `hydra:next`, anonymous and with an agency API token (the worse);
- ``dump_per_s`` / ``dump_peak_rss_mb``: `ckan vnopendata dcat dump --format
  ttl` of the anonymous catalogue, in a process of its own (its peak RSS,
  CKAN loaded, is its own VmHWM);
- ``stock_*``: ckanext-dcat 2.4.4 with its default `euro_dcat_ap_3`: its
  endpoint's action (`dcat_catalog_show`, what `/catalog.ttl` runs when its
  endpoints are on) for pages, `RDFSerializer.serialize_catalog` on a sample
  (``stock_sample``) for the dump, in a process of its own for its RSS;
- ``isomorphic``: the project's output for ``--isomorphic-sample`` datasets
  (stored pieces and the catalogue's triples) is graph-isomorphic to
  ckanext-dcat's `serialize_catalog` with the same profile (`vn_dcat_ap`).

One figure a line; the last line is one JSON object with everything.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import search as corpus  # noqa: E402  (benchmarks/search.py: the shared corpus)

DB_NAME = "vnopendata_dcat_perf"
DEFAULT_DB_URL = f"postgresql://vnopendata:vnopendata@127.0.0.1:5432/{DB_NAME}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
GOALS = {"page_ms_p95": 50.0, "dump_per_s": 5000.0, "dump_peak_rss_mb": 300.0}


def emit(key: str, value: Any) -> None:
    print(f"{key}: {value}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    return corpus.percentile(values, fraction)


def _token(user_name: str) -> str:
    from ckan.logic import get_action

    return get_action("api_token_create")(
        {"ignore_auth": True, "user": user_name}, {"user": user_name, "name": "bench"}
    )["token"]


def measure_pages(
    flask_app: Any, headers: dict[str, str], pages: int
) -> tuple[list[float], list[float]]:
    """Walk `pages` pages along hydra:next: wall and CPU ms of each GET (the
    CPU time of this process: the whole CKAN stack, not PostgreSQL's)."""
    from ckan.common import config
    from rdflib import Graph

    from ckanext.vnopendata.dcat.vocabularies import HYDRA

    client = flask_app.test_client()
    site = config.get("ckan.site_url") or ""
    url: str | None = "/catalog.ttl"
    timings: list[float] = []
    cpu: list[float] = []
    warm = 3
    while url and len(timings) < pages:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        body = response.get_data(as_text=True)
        elapsed = (time.perf_counter() - started) * 1000
        cpu_elapsed = (time.process_time() - cpu_started) * 1000
        assert response.status_code == 200, body[:300]
        if warm:
            warm -= 1
        else:
            timings.append(elapsed)
            cpu.append(cpu_elapsed)
        # Only the page's Hydra block is parsed to follow the walk (the
        # harvester's parsing is not what is measured).
        start = body.find("hydra:next ")
        following = None
        if start >= 0:
            following = body[start:].split('"', 2)[1]
        else:
            graph = Graph().parse(data=body, format="turtle")
            following = next((str(o) for o in graph.objects(None, HYDRA.next)), None)
        url = following[len(site) :] if following and following.startswith(site) else following
    return timings, cpu


def measure_stock_pages(pages: int) -> list[float]:
    from ckan.logic import get_action

    timings = []
    for page in range(1, pages + 2):
        started = time.perf_counter()
        get_action("dcat_catalog_show")(
            {"user": ""}, {"page": page, "format": "ttl", "profiles": ["euro_dcat_ap_3"]}
        )
        if page > 1:  # first call warms the profile loading
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def isomorphic_sample(sample: int) -> bool:
    import sqlalchemy as sa
    from ckan import model
    from ckan.logic import get_action
    from ckanext.dcat.processors import RDFSerializer
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic

    from ckanext.vnopendata.dcat import feed, pieces
    from ckanext.vnopendata.model.dcat import dcat_piece_table

    ids = [
        row[0]
        for row in model.Session.execute(
            sa.select(dcat_piece_table.c.package_id).order_by(dcat_piece_table.c.package_id)
        ).all()[:sample]
    ]
    stored = pieces.fetch(ids, {}, "nt")
    ours = feed.catalog_graph(feed._dataset_uris(ids), None)
    for package_id in ids:
        ours.parse(data=stored[package_id], format="nt")
    dicts = [get_action("package_show")({"ignore_auth": True}, {"id": i}) for i in ids]
    theirs = Graph().parse(
        data=RDFSerializer(profiles=["vn_dcat_ap"]).serialize_catalog({}, dicts, _format="nt"),
        format="nt",
    )
    assert all((URIRef(uri), None, None) in theirs for uri in feed._dataset_uris(ids))
    return bool(isomorphic(ours, theirs))


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not `ru_maxrss`: on Linux a process started by `subprocess` keeps, across
    exec, the peak of the parent's memory it was forked from (the 100,000
    dataset parent's ~390 MB showed as the child's peak before it read a
    single dataset). VmHWM belongs to the running program's own memory.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(mode: str, ini: Path, sample: int) -> int:
    """Run one dump in this process and print its figures and peak memory."""
    flask_app = corpus.load_ckan(ini)
    with flask_app.test_request_context():
        # CKAN and its plugins loaded, before any dataset: the floor of the peak.
        loaded_mb = peak_rss_mb()
        if mode == "dump":
            from ckanext.vnopendata.dcat import feed

            caller = feed.caller_for(None)
            count = 0
            started, cpu_started = time.perf_counter(), time.process_time()
            with open(os.devnull, "w", encoding="utf-8") as sink:
                for chunk in feed.dump(caller, "ttl"):
                    sink.write(chunk)
                    count += chunk.count(" a <http://www.w3.org/ns/dcat#Dataset>")
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        else:
            from ckan.logic import get_action
            from ckanext.dcat.processors import RDFSerializer

            found = get_action("package_search")(
                {"user": ""}, {"q": "*:*", "rows": sample, "sort": "metadata_modified desc"}
            )["results"]
            started, cpu_started = time.perf_counter(), time.process_time()
            RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_catalog({}, found, _format="ttl")
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            count = len(found)
    figures = {
        "datasets": count,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "loaded_mb": loaded_mb,
        "peak_mb": peak_rss_mb(),
    }
    print(json.dumps(figures), flush=True)
    return 0


def run_child(mode: str, ini: Path, sample: int) -> tuple[dict[str, Any], float]:
    """(figures printed by the child, its peak RSS in MB)."""
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--ini",
            str(ini),
            "--stock-sample",
            str(sample),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"{mode} child failed: {output[-500:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    return figures, figures["peak_mb"]


def publish_corpus() -> None:
    """The corpus is written with COPY, past the review workflow: published,
    as the review migration marks datasets from before the workflow."""
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE package SET extras = extras || jsonb_build_object("
                "'review_state', 'published', 'review_published_at', "
                "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')) "
                "WHERE type = 'dataset' AND NOT extras ? 'review_state'"
            )
        )


def run(args: argparse.Namespace, flask_app: Any) -> dict[str, Any]:
    import sqlalchemy as sa
    from ckan import model

    from ckanext.vnopendata.dcat import pieces

    results: dict[str, Any] = {"datasets": args.datasets}
    catalogue = None if args.rebuild_corpus else corpus.existing_catalogue(args.datasets)
    if catalogue is None:
        started = time.perf_counter()
        catalogue = corpus.build_corpus(args.datasets, args.seed)
        publish_corpus()
        emit("corpus_build_s", round(time.perf_counter() - started, 1))
    else:
        emit("corpus_reused", True)
    if args.reuse_pieces:
        # An earlier run's search index and pieces, as they are.
        return measure_feeds(args, flask_app, results)
    # The feed finds datasets through the search index: labels as of now.
    _indexed, elapsed = corpus.measure_rebuild()
    emit("search_index_rebuild_s", round(elapsed, 1))
    emit("datasets", args.datasets)

    started, cpu_started = time.perf_counter(), time.process_time()
    rebuilt = pieces.rebuild()
    elapsed = time.perf_counter() - started
    results["rebuild_per_cpu_s"] = round(rebuilt / (time.process_time() - cpu_started), 1)
    emit("rebuild_per_cpu_s", results["rebuild_per_cpu_s"])
    model.Session.remove()
    results["rebuild_s"] = round(elapsed, 1)
    results["rebuild_per_s"] = round(rebuilt / elapsed, 1)
    emit("rebuild_s", results["rebuild_s"])
    emit("rebuild_per_s", results["rebuild_per_s"])
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM (ANALYZE) vnopendata_dcat_piece"))
        size = c.execute(sa.text("SELECT pg_total_relation_size('vnopendata_dcat_piece')")).scalar()
    results["pieces_mb"] = round(size / 2**20, 1)
    emit("pieces_mb", results["pieces_mb"])

    return measure_feeds(args, flask_app, results)


def measure_feeds(
    args: argparse.Namespace, flask_app: Any, results: dict[str, Any]
) -> dict[str, Any]:
    token = _token(corpus.AGENCY_USER)
    page_figures = {}
    for label, headers in (("anonymous", {}), ("agency", {"Authorization": token})):
        timings, cpu = measure_pages(flask_app, headers, args.pages)
        page_figures[label] = {
            "pages": len(timings),
            "p50_ms": round(percentile(timings, 0.50), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "cpu_p50_ms": round(percentile(cpu, 0.50), 1),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
        }
        for key, value in page_figures[label].items():
            emit(f"page.{label}.{key}", value)
    results["pages"] = page_figures
    results["page_ms_p50"] = max(f["p50_ms"] for f in page_figures.values())
    results["page_ms_p95"] = max(f["p95_ms"] for f in page_figures.values())
    results["page_cpu_ms_p95"] = max(f["cpu_p95_ms"] for f in page_figures.values())

    figures, rss = run_child("dump", args.ini, args.stock_sample)
    results["dump_datasets"] = figures["datasets"]
    results["dump_s"] = round(figures["seconds"], 1)
    results["dump_per_s"] = round(figures["datasets"] / figures["seconds"], 1)
    results["dump_peak_rss_mb"] = round(rss, 1)
    results["dump_per_cpu_s"] = round(figures["datasets"] / figures["cpu_seconds"], 1)
    results["dump_rss_ckan_loaded_mb"] = round(figures["loaded_mb"], 1)
    for key in (
        "dump_datasets",
        "dump_s",
        "dump_per_s",
        "dump_per_cpu_s",
        "dump_peak_rss_mb",
        "dump_rss_ckan_loaded_mb",
    ):
        emit(key, results[key])

    stock_pages = measure_stock_pages(args.stock_pages)
    results["stock_page_ms_p50"] = round(percentile(stock_pages, 0.50), 1)
    results["stock_page_ms_p95"] = round(percentile(stock_pages, 0.95), 1)
    results["stock_pages"] = len(stock_pages)
    figures, rss = run_child("stock-dump", args.ini, args.stock_sample)
    results["stock_sample"] = figures["datasets"]
    results["stock_dump_per_s"] = round(figures["datasets"] / figures["seconds"], 1)
    results["stock_dump_peak_rss_mb"] = round(rss, 1)
    results["stock_dump_per_cpu_s"] = round(figures["datasets"] / figures["cpu_seconds"], 1)
    results["stock_dump_rss_ckan_loaded_mb"] = round(figures["loaded_mb"], 1)
    for key in (
        "stock_pages",
        "stock_page_ms_p50",
        "stock_page_ms_p95",
        "stock_sample",
        "stock_dump_per_s",
        "stock_dump_per_cpu_s",
        "stock_dump_peak_rss_mb",
    ):
        emit(key, results[key])

    results["isomorphic_sample"] = args.isomorphic_sample
    results["isomorphic"] = isomorphic_sample(args.isomorphic_sample)
    emit("isomorphic", results["isomorphic"])

    results["goals_met"] = {
        "page_ms_p95": results["page_ms_p95"] <= GOALS["page_ms_p95"],
        "dump_per_s": results["dump_per_s"] >= GOALS["dump_per_s"],
        "dump_peak_rss_mb": results["dump_peak_rss_mb"] <= GOALS["dump_peak_rss_mb"],
    }
    for goal, met in results["goals_met"].items():
        emit(f"goal.{goal}", "met" if met else "missed")
    results["cpus"] = os.cpu_count()
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100000, help="corpus size (100000)")
    parser.add_argument(
        "--ini", type=Path, default=ROOT / "config" / "bench-dcat.ini", help="written if missing"
    )
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help="for a new ini")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="for a new ini")
    parser.add_argument("--pages", type=int, default=200, help="pages walked per caller (200)")
    parser.add_argument("--stock-pages", type=int, default=20, help="stock pages timed (20)")
    parser.add_argument(
        "--stock-sample", type=int, default=1000, help="datasets for stock's dump (1000)"
    )
    parser.add_argument("--isomorphic-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--rebuild-corpus", action="store_true")
    parser.add_argument(
        "--reuse-pieces",
        action="store_true",
        help="measure the feeds on the search index and pieces of an earlier run",
    )
    parser.add_argument("--child", choices=["dump", "stock-dump"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args.child, args.ini, args.stock_sample)
    corpus.DB_NAME = DB_NAME
    corpus.prepare_environment(args.ini, args.db_url, args.redis_url)
    flask_app = corpus.load_ckan(args.ini)
    random.seed(args.seed)
    with flask_app.test_request_context():
        results = run(args, flask_app)
    print(json.dumps(results, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
