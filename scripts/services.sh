#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer, and that the portal's role and
# databases exist. Starts a local service that is installed but stopped;
# says what is missing when a service is not installed at all.
#
#   scripts/services.sh DB_NAME [DB_NAME...]
#
# With CKAN_SQLALCHEMY_URL / CKAN_REDIS_URL set, those servers are used as
# they are and nothing local is started or created.
set -euo pipefail

PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_ADMIN=${VNOPENDATA_PG_ADMIN:-postgres}
DB_ROLE=${VNOPENDATA_DB_ROLE:-vnopendata}
REDIS_PORT=6379

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

ensure_postgres() {
    command -v pg_isready >/dev/null || die "PostgreSQL client tools are not installed (Debian: apt-get install postgresql). Or set CKAN_SQLALCHEMY_URL to a PostgreSQL server."
    pg_up && return 0
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        say "starting PostgreSQL"
        for version in $(ls /etc/postgresql); do
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 30); do pg_up && return 0; sleep 1; done
    fi
    die "PostgreSQL does not answer on $PG_HOST:$PG_PORT and no local cluster could be started (Debian: apt-get install postgresql). Or set CKAN_SQLALCHEMY_URL."
}

redis_up() {
    if command -v redis-cli >/dev/null; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
    else
        (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null
    fi
}

ensure_redis() {
    redis_up && return 0
    command -v redis-server >/dev/null || die "Redis does not answer on 127.0.0.1:$REDIS_PORT and is not installed (Debian: apt-get install redis-server). Or set CKAN_REDIS_URL."
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 20); do redis_up && return 0; sleep 0.5; done
    die "Redis was started but does not answer on 127.0.0.1:$REDIS_PORT"
}

# The superuser over TCP (trust or a ~/.pgpass), or, on a fresh Debian
# cluster (peer authentication on the socket only), as the postgres system
# user when this script runs as root.
ADMIN_VIA=""
psql_admin() {
    if [ -z "$ADMIN_VIA" ]; then
        if PGCONNECT_TIMEOUT=5 psql -w -qtA -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" -d postgres \
            -c "SELECT 1" >/dev/null 2>&1; then
            ADMIN_VIA=tcp
        elif [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && command -v runuser >/dev/null; then
            ADMIN_VIA=peer
        else
            ADMIN_VIA=tcp  # let psql print why it cannot log in
        fi
    fi
    if [ "$ADMIN_VIA" = peer ]; then
        PGOPTIONS="-c client_min_messages=warning" \
        runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA -p "$PG_PORT" "$@"
    else
        PGOPTIONS="-c client_min_messages=warning" \
        psql -v ON_ERROR_STOP=1 -qtA -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" "$@"
    fi
}

ensure_database() {
    local db=$1
    if ! psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'" | grep -q 1; then
        say "creating role $DB_ROLE"
        psql_admin -d postgres -c "CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_ROLE'"
    fi
    if ! psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        say "creating database $db"
        psql_admin -d postgres -c "CREATE DATABASE $db OWNER $DB_ROLE ENCODING 'UTF8' TEMPLATE template0"
    fi
    # Extensions the search index needs; created by the superuser so that the
    # portal's role needs no extra rights.
    psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm"
    # RUM: text results come best first from the rank index (the search
    # still works without it, slower, with a warning in the log).
    if rum_available; then
        psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS rum"
    fi
}

rum_available() {
    psql_admin -d postgres -c "SELECT 1 FROM pg_available_extensions WHERE name = 'rum'" | grep -q 1
}

# Debian's postgresql-NN-rum for the running server, when this shell may
# install packages; otherwise a warning (search works without it, slower).
ensure_rum() {
    rum_available && return 0
    local major
    major=$(psql_admin -d postgres -c "SHOW server_version_num" | cut -c1-2)
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing postgresql-$major-rum (ranked text search index)"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-rum" >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 \
                 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-rum" >/dev/null 2>&1; }; then
            rum_available && return 0
        fi
    fi
    printf 'WARNING: %s\n' "the PostgreSQL extension rum is not installed (Debian: apt-get install postgresql-$major-rum); ranked text search works without it, slower" >&2
}

if [ -z "${CKAN_SQLALCHEMY_URL:-}" ]; then
    ensure_postgres
    ensure_rum
    for db in "$@"; do ensure_database "$db"; done
else
    say "using the database at CKAN_SQLALCHEMY_URL"
fi

if [ -z "${CKAN_REDIS_URL:-}" ]; then
    ensure_redis
else
    say "using the Redis at CKAN_REDIS_URL"
fi
