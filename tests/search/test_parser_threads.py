"""The query parser under the production server's threads: a valid query
parses to the same tree whatever other threads parse at the same time.

PLY (under luqum) kept one lexer for the process; under load one search
page in about 3,000 failed with "unexpected end of expression" on CKAN's
own `+state:(active)`."""

from __future__ import annotations

import sys
import threading

from ckanext.vnopendata.search import compiler

QUERIES = [
    " +state:(active)",
    '(title:"bảng giá đất" AND notes:"quick fox") OR title:fox AND '
    '(tags:"y tế" AND organization:bo-y-te) OR name:bench-1* OR -res_format:CSV',
    'sector:"health" AND provinces:("01" OR "79") AND '
    "metadata_modified:[2025-01-01T00:00:00Z TO NOW] AND num_resources:[1 TO *]",
    "dữ liệu dân số Hà Nội 2025",
]


def test_queries_parse_to_the_same_tree_in_concurrent_threads():
    expected = {query: repr(compiler.parse(query, "q")) for query in QUERIES}
    failures: list[str] = []

    def parse_many() -> None:
        for _ in range(150):
            for query in QUERIES:
                try:
                    found = repr(compiler.parse(query, "q"))
                except Exception as error:  # any failure is the finding
                    failures.append(f"{query!r}: {error}")
                    return
                if found != expected[query]:
                    failures.append(f"{query!r}: parsed as {found}")
                    return

    interval = sys.getswitchinterval()
    # Threads switch every microsecond rather than every 5 ms: the
    # interleavings a loaded server meets, in a second.
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=parse_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:3]
