"""Wait until PostgreSQL, Redis and (with the Solr backend) Solr answer.

Run by the entrypoint before `ckan db init`: containers of one compose
project start together, and a database that is still initialising refuses
connections for a few seconds. Exits non-zero, naming what never answered,
after --timeout seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import redis
import requests
import sqlalchemy


def postgres_ready(url: str) -> None:
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    finally:
        engine.dispose()


def redis_ready(url: str) -> None:
    redis.Redis.from_url(url, socket_connect_timeout=3).ping()


def solr_ready(url: str) -> None:
    # The core must exist and answer a query, not just the Solr node.
    response = requests.get(
        url.rstrip("/") + "/select", params={"q": "*:*", "rows": 0, "wt": "json"}, timeout=5
    )
    response.raise_for_status()


def wait(name: str, check: Callable[[], None], deadline: float) -> None:
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            check()
        except Exception as error:  # any failure means "not yet"
            last_error = error
            time.sleep(2)
        else:
            print(f"{name} is up", flush=True)
            return
    sys.exit(f"{name} did not answer in time: {last_error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlalchemy-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--solr-url", help="only waited for when given")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    wait("PostgreSQL", lambda: postgres_ready(args.sqlalchemy_url), deadline)
    wait("Redis", lambda: redis_ready(args.redis_url), deadline)
    if args.solr_url:
        wait(f"Solr core at {args.solr_url}", lambda: solr_ready(args.solr_url), deadline)


if __name__ == "__main__":
    main()
