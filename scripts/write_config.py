"""Write a CKAN ini file from config/ckan.ini.tmpl, once.

Secrets are generated here, on the machine that runs the portal; an existing
file is left untouched so that sessions, API tokens and edits survive.
"""

from __future__ import annotations

import argparse
import os
import secrets
import string
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--sqlalchemy-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    parser.add_argument("--storage-path", required=True)
    parser.add_argument("--search-backend", default="postgres")
    parser.add_argument("--solr-url", default="http://127.0.0.1:8983/solr/ckan")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an extra [app:main] setting (repeatable)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite")
    args = parser.parse_args()

    if args.output.exists() and not args.force:
        print(f"{args.output} exists: kept as it is")
        return 0

    template = string.Template((HERE / "config" / "ckan.ini.tmpl").read_text("utf-8"))
    text = template.substitute(
        secret_key=secrets.token_urlsafe(32),
        csrf_secret=secrets.token_urlsafe(32),
        jwt_secret=secrets.token_urlsafe(32),
        site_url=os.environ.get("CKAN_SITE_URL", f"http://{args.host}:{args.port}"),
        host=args.host,
        port=args.port,
        sqlalchemy_url=args.sqlalchemy_url,
        redis_url=args.redis_url,
        storage_path=args.storage_path,
        search_backend=args.search_backend,
        solr_url=args.solr_url,
    )
    if args.setting:
        extra = "".join(
            f"{line.split('=', 1)[0].strip()} = {line.split('=', 1)[1].strip()}\n"
            for line in args.setting
        )
        text = text.replace("\n[loggers]", "\n" + extra + "\n[loggers]", 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, "utf-8")
    args.output.chmod(0o600)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
