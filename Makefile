# ckanext-vnopendata: `make run` serves the portal, `make test` runs the suite.
# Both set up everything they need on a fresh machine and are safe to repeat.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

DB_URL ?= $(or $(CKAN_SQLALCHEMY_URL),postgresql://vnopendata:vnopendata@127.0.0.1:5432/vnopendata)
TEST_DB_URL ?= $(or $(CKAN_TEST_SQLALCHEMY_URL),postgresql://vnopendata:vnopendata@127.0.0.1:5432/vnopendata_test)
REDIS_URL ?= $(or $(CKAN_REDIS_URL),redis://127.0.0.1:6379/0)
TEST_REDIS_URL ?= $(or $(CKAN_TEST_REDIS_URL),redis://127.0.0.1:6379/1)
SEARCH_BACKEND ?= postgres

CONFIG := config/ckan.ini
PROD_CONFIG := config/production.ini
TEST_CONFIG := config/test.ini
# Production server (make serve-prod): gunicorn workers x threads, plus
# CKAN job workers, on $(HOST):$(PROD_PORT).
PROD_PORT ?= 8000
WORKERS ?= 2
THREADS ?= 4
JOB_WORKERS ?= 1
# make test: everything but the long fault tests (make test-faults).
PYTEST_MARK ?= not long_fault
CKAN := $(BIN)/ckan -c $(CONFIG)
PYTEST_ARGS ?= tests

.PHONY: run serve serve-prod system system-test install dev-install services db demo admin \
	i18n extract-i18n test test-faults lint format clean

run: system install i18n services $(CONFIG) db admin demo serve

# The development server and CKAN's job worker (the e-mails of reviews and
# access requests are sent by background jobs), stopped together by Ctrl-C.
serve:
	$(BIN)/python -m ckanext.vnopendata.ops.serve dev --config $(CONFIG) \
	  --bind $(HOST):$(PORT) --job-workers $(JOB_WORKERS)

# The production server: gunicorn plus the job worker(s), one supervisor,
# structured JSON logs and HTTPS-only cookies (config/production.ini).
serve-prod: system install i18n services $(CONFIG) $(PROD_CONFIG) db
	$(BIN)/python -m ckanext.vnopendata.ops.serve prod --config $(PROD_CONFIG) \
	  --bind $(HOST):$(PROD_PORT) --workers $(WORKERS) --threads $(THREADS) \
	  --job-workers $(JOB_WORKERS)

# Debian packages: installed when missing (as root or with sudo), or the
# one command to run is printed.
system:
	@bash scripts/system.sh run
system-test:
	@bash scripts/system.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

install: $(VENV)/.installed
$(VENV)/.installed: $(BIN)/python requirements.txt setup.py
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

dev-install: $(VENV)/.dev-installed
$(VENV)/.dev-installed: $(VENV)/.installed dev-requirements.txt
	$(BIN)/pip install --quiet -r dev-requirements.txt
	touch $@

i18n: install
	@for po in i18n/*/LC_MESSAGES/*.po; do \
	  [ -e "$$po" ] || continue; \
	  $(BIN)/pybabel compile --use-fuzzy -i "$$po" -o "$${po%.po}.mo" >/dev/null || exit 1; \
	done

# The extension's messages (mapping: babel.cfg) into the template the
# Vietnamese catalogue is kept from; tests/i18n fails on a message missing
# from the catalogue.
extract-i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k "_ ungettext:1,2 N_" --no-wrap \
	  -o i18n/ckanext-vnopendata.pot .

services:
	bash scripts/services.sh vnopendata

$(CONFIG): config/ckan.ini.tmpl | install
	$(BIN)/python scripts/write_config.py $@ --sqlalchemy-url $(DB_URL) \
	  --redis-url $(REDIS_URL) --host $(HOST) --port $(PORT) \
	  --storage-path $(CURDIR)/var/storage --search-backend $(SEARCH_BACKEND)

$(PROD_CONFIG): config/production.ini.tmpl | install
	$(BIN)/python scripts/write_config.py $@ --template production.ini.tmpl \
	  --sqlalchemy-url $(DB_URL) --redis-url $(REDIS_URL) \
	  --storage-path $(CURDIR)/var/storage

# `db init` also applies the pending migrations of every loaded plugin
# (activity, vnopendata).
db: $(CONFIG)
	$(CKAN) db init

admin: $(CONFIG)
	$(CKAN) vnopendata create-admin --credentials-file var/admin-login.txt

demo: $(CONFIG)
	$(CKAN) vnopendata demo

# The test database starts empty on every run (whatever a run before left),
# then gets every migration. The test portal publishes datasets as they are created (no review step), so
# that tests of search, schemas and pages write datasets in one call;
# tests/sharing run the review workflow with the portal's default (review
# required) and without it.
test: system-test dev-install
	CKAN_SQLALCHEMY_URL=$(CKAN_TEST_SQLALCHEMY_URL) CKAN_REDIS_URL=$(CKAN_TEST_REDIS_URL) \
	  bash scripts/services.sh vnopendata_test
	$(BIN)/python scripts/write_config.py $(TEST_CONFIG) --force \
	  --sqlalchemy-url $(TEST_DB_URL) --redis-url $(TEST_REDIS_URL) \
	  --storage-path $(CURDIR)/var/test-storage --search-backend postgres \
	  --setting ckanext.vnopendata.review.required=false
	CKAN_SQLALCHEMY_URL=$(TEST_DB_URL) CKAN_REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/ckan -c $(TEST_CONFIG) db clean --yes
	CKAN_SQLALCHEMY_URL=$(TEST_DB_URL) CKAN_REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/ckan -c $(TEST_CONFIG) db init
	CKAN_SQLALCHEMY_URL=$(TEST_DB_URL) CKAN_REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/pytest --ckan-ini=$(TEST_CONFIG) -m "$(PYTEST_MARK)" $(PYTEST_ARGS)

# The long fault tests: private PostgreSQL and Redis servers restarted and
# stopped under a running production server (tests/faults/).
test-faults:
	$(MAKE) test PYTEST_MARK=long_fault PYTEST_ARGS="$(or $(FAULT_ARGS),tests/faults)"

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev-install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info
