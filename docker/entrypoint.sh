#!/bin/sh
# Start the CKAN container: wait for the services, write the config once,
# bring the database schema up to date, then run the given command (by
# default the gunicorn server of the Dockerfile's CMD).
set -eu

: "${CKAN_INI:=/srv/app/config/production.ini}"
# production.ini (HTTPS-only cookies, JSON logs) builds on ckan.ini beside it.
BASE_INI="$(dirname "$CKAN_INI")/ckan.ini"
: "${CKAN_SQLALCHEMY_URL:?CKAN_SQLALCHEMY_URL must be set}"
: "${CKAN_REDIS_URL:?CKAN_REDIS_URL must be set}"
: "${CKAN_SITE_URL:?CKAN_SITE_URL must be set}"
: "${CKAN_SEARCH_BACKEND:=solr}"
: "${CKAN_SOLR_URL:=http://solr:8983/solr/ckan}"
: "${CKAN_STORAGE_PATH:=/var/lib/ckan}"
export CKAN_INI CKAN_SOLR_URL CKAN_STORAGE_PATH

case "$CKAN_SEARCH_BACKEND" in
    solr) solr_wait="--solr-url $CKAN_SOLR_URL" ;;
    postgres) solr_wait="" ;;
    *) echo "CKAN_SEARCH_BACKEND must be solr or postgres, not '$CKAN_SEARCH_BACKEND'" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086  # solr_wait is two words or none
python /srv/app/docker/wait_for_services.py \
    --sqlalchemy-url "$CKAN_SQLALCHEMY_URL" --redis-url "$CKAN_REDIS_URL" $solr_wait

# The config lives on a volume: written once with fresh secrets, so that
# sessions and API tokens survive a rebuilt container. The URLs in it are
# overridden at every start by the CKAN_* variables above (CKAN reads them
# itself); the search backend is not, so it is set here from the
# environment each time.
python /srv/app/src/scripts/write_config.py "$BASE_INI" \
    --sqlalchemy-url "$CKAN_SQLALCHEMY_URL" --redis-url "$CKAN_REDIS_URL" \
    --host 0.0.0.0 --port 5000 --storage-path "$CKAN_STORAGE_PATH" \
    --search-backend "$CKAN_SEARCH_BACKEND" --solr-url "$CKAN_SOLR_URL"
python /srv/app/src/scripts/write_config.py "$CKAN_INI" --template production.ini.tmpl \
    --sqlalchemy-url "$CKAN_SQLALCHEMY_URL" --redis-url "$CKAN_REDIS_URL" \
    --storage-path "$CKAN_STORAGE_PATH"
ckan config-tool "$BASE_INI" \
    "ckanext.vnopendata.search.backend=$CKAN_SEARCH_BACKEND" \
    "solr_url=$CKAN_SOLR_URL"

mkdir -p "$CKAN_STORAGE_PATH"
ckan -c "$CKAN_INI" db init
ckan -c "$CKAN_INI" db upgrade -p vnopendata

exec "$@"
