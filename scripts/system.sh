#!/usr/bin/env bash
# Make sure the Debian packages the portal needs are installed; install the
# missing ones (as root, or with sudo when it asks no password), otherwise
# stop at once with the one command that installs them.
#
#   scripts/system.sh run     # make run:  PostgreSQL (+ extensions), Redis, venv
#   scripts/system.sh test    # make test: the above plus Chromium, docker-compose
#
# VNOPENDATA_SYSTEM_DRY_RUN=1 prints the install command instead of running
# it (used by the tests of this script). With CKAN_SQLALCHEMY_URL /
# CKAN_REDIS_URL set, `run` does not ask for a local PostgreSQL / Redis
# server; `test` always does, because the fault tests start private ones.
set -euo pipefail

mode=${1:-run}
case "$mode" in
    run | test) ;;
    *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
# Where Debian keeps PostgreSQL's server programs and extension files.
PG_LIB=${VNOPENDATA_PG_LIB:-/usr/lib/postgresql}
PG_SHARE=${VNOPENDATA_PG_SHARE:-/usr/share/postgresql}

missing=()
need() { missing+=("$1"); }
have() { command -v "$1" >/dev/null 2>&1; }

pg_server_installed() {
    local bin
    for bin in "$PG_LIB"/*/bin/initdb; do
        [ -x "$bin" ] && return 0
    done
    have initdb
}

pg_extensions_installed() {
    local dir
    for dir in "$PG_SHARE"/*/extension; do
        [ -e "$dir/unaccent.control" ] && [ -e "$dir/pg_trgm.control" ] && return 0
    done
    return 1
}

# Python's venv (Debian splits ensurepip into python3-venv).
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || need python3-venv

if [ -z "${CKAN_SQLALCHEMY_URL:-}" ] || [ "$mode" = test ]; then
    have psql && have pg_isready || need postgresql-client
    pg_server_installed || need postgresql
    # unaccent and pg_trgm: in postgresql-contrib up to PostgreSQL 9.6 and
    # in the server package since; the metapackage pulls them either way.
    pg_extensions_installed || need postgresql-contrib
fi
if [ -z "${CKAN_REDIS_URL:-}" ] || [ "$mode" = test ]; then
    have redis-server || need redis-server
    have redis-cli || need redis-tools
fi
if [ "$mode" = test ]; then
    have chromium || need chromium
    have docker-compose || need docker-compose
fi

# One package once, in the order found.
packages=$(printf '%s\n' "${missing[@]+"${missing[@]}"}" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
packages=${packages% }
[ -z "$packages" ] && exit 0

apt_args="-y -q -o DPkg::Lock::Timeout=600 --no-install-recommends"
if ! have apt-get; then
    echo "ERROR: missing system packages: $packages" >&2
    echo "This is not a Debian machine: install the equivalents of these Debian packages with your package manager." >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif have sudo && sudo -n true >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "ERROR: missing system packages: $packages" >&2
    echo "Run this once, then the make command again:" >&2
    echo "    sudo apt-get update && sudo apt-get install $apt_args $packages" >&2
    exit 1
fi

echo "==> installing $packages"
run() {
    if [ -n "${VNOPENDATA_SYSTEM_DRY_RUN:-}" ]; then
        echo "would run: $*"
    else
        "$@"
    fi
}
# shellcheck disable=SC2086  # word splitting of the lists is intended
run $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=600
# shellcheck disable=SC2086
run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install $apt_args $packages
