# Smart Chunks: the commands people and CI use. README's quick start is `make run` / `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000

.PHONY: run dev help test lint format check install db db-stop prepare bench mutation soak editor-guide-shots
.PHONY: cluster-test

# The runtime packages only (requirements.lock): what `make run` and production install.
$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.lock
	touch $@

# The test and lint tools on top (requirements-dev.lock, at the runtime lock's versions).
.PHONY: install-dev
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements-dev.lock
	touch $@

## Install the runtime packages into .venv (requirements.lock): what make run and production need.
install: $(VENV)/.installed

## Install the test and lint tools on top (requirements-dev.lock).
install-dev: $(VENV)/.installed-dev

## Start the project-local PostgreSQL (skipped when DATABASE_URL points elsewhere).
db: install
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m smartchunks.localdb start; fi

## Stop the project-local PostgreSQL.
db-stop: install
	$(PY) -m smartchunks.localdb stop

## Get the database and files ready to serve. Collects static files, migrates, loads the demo
## content, stores the article pages and makes sure an admin login exists: a line a step
## (VERBOSE=1: every step's own output; smartchunks/site_start.py).
prepare: db
	@$(PY) -m smartchunks.site_start prepare

## Serve the site as in production on http://127.0.0.1:$(PORT), preparing it first. DEBUG off:
## nginx in front, gunicorn behind it on a unix socket (smartchunks/frontserver.py), until
## Ctrl-C; both stop gracefully.  Ends with the site's and the admin's address, and the admin
## login when it was just created (VERBOSE=1: all output).
run: db
	@PORT=$(PORT) exec $(PY) -m smartchunks.site_start run

## Work on templates and code with Django's development server on http://127.0.0.1:$(PORT). DEBUG
## on, reloading on every change, page cache off; same database and demo content as make run.
## The article pages are stored in their DEBUG form (unhashed static names); make run's prepare
## stores them again in theirs.
dev: export DJANGO_DEBUG = 1
dev: export SMARTCHUNKS_PAGE_CACHE = off
dev: db
	@$(PY) -m smartchunks.site_start prepare
	@exec $(MANAGE) runserver 127.0.0.1:$(PORT)

## List the targets, one line each: the first sentence of the ## comment above each.
help:
	@awk '/^## /{ text = text " " substr($$0, 4); next } \
		/^[a-zA-Z][a-zA-Z_-]*:([^=]|$$)/ { name = $$1; sub(/:.*/, "", name); t = substr(text, 2); \
			if (match(t, /\. [A-Z(]/)) t = substr(t, 1, RSTART); gsub(/\$$\(PORT\)/, port, t); \
			if (t != "") printf "  %-20s %s\n", name, t; text = ""; next } \
		/^$$/ { text = "" }' port=$(PORT) $(MAKEFILE_LIST)

## Django's system checks, and no model change without its migration.
check: db install-dev
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

## ruff, and the layers of the house (import-linter, contracts in pyproject.toml).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/djhtml --check templates || { echo "Templates need re-indenting: run make format."; exit 1; }

## Fix what ruff can and re-indent the templates (djhtml).
format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

## axe-core for the accessibility browser tests, from the npm registry at the version the lock pins.
AXE_DIR := tests/browser/axe
AXE := $(AXE_DIR)/node_modules/axe-core/axe.min.js
$(AXE): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	npm ci --prefix $(AXE_DIR) --ignore-scripts --no-audit --no-fund
	touch $@

## Everything CI runs: checks, lint, then the whole suite on PostgreSQL, browser tests included (~14 min on 2 cores).
## TEST_WORKERS processes share the suite, a test file each at a time, each with its own test
## database (pytest-xdist); most tests wait on PostgreSQL, a browser or a server, so two halve
## the time on two cores.
TEST_WORKERS ?= 2
test: install-dev check lint $(AXE)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term:skip-covered --durations=15 --ignore=tests/soak --ignore=tests/cluster

## The editor's guide (docs/editor-guide.md): the browser walk through an editor's first ten minutes, writing its
## screenshots to docs/editor-guide/ (make test writes them to a temporary folder). Look at them.
editor-guide-shots: db install-dev
	EDITOR_GUIDE_SHOTS=docs/editor-guide $(VENV)/bin/pytest -p no:cacheprovider tests/browser/test_editor_guide.py

## A minute of 16 readers and an editor through nginx + gunicorn: no 5xx, nothing unpublished.
soak: db install-dev
	$(VENV)/bin/pytest -p no:cacheprovider -s tests/soak

## Two application servers on a PostgreSQL primary and streaming replica, Redis and an S3
## server (moto), all on loopback: publishing, replica reads, outages, media (~1 min).
# tests/helpers/cluster.py starts it all (docs/operator-guide.md, "The cluster test"); db only
# because the test run's own settings read the local database's URL.
cluster-test: db install-dev
	$(VENV)/bin/pytest -p no:cacheprovider tests/cluster

## Mutation testing of the rules that guard unpublished work (~30 min): score and survivors.
mutation: db install-dev
	$(PY) tests/mutation/run.py

## Load-test the public pages with wrk on nginx + gunicorn (127.0.0.1), cached and uncached, on a
## corpus of SIZE articles in its own database (made once; 100000 takes minutes) (~3 min).
SIZE ?= 1000
bench: db install-dev
	SIZE=$(SIZE) $(PY) tests/bench/run_bench.py

.PHONY: backup restore
## Back up the database (pg_dump, custom format) and the media files to var/backups/<UTC time>/.
backup: db
	$(PY) -m smartchunks.backup backup $(if $(DEST),--dest "$(DEST)")

## Restore a backup into an EMPTY database and media folder: make restore FILE=var/backups/<time>
## (FORCE=1 replaces what the backup holds in a database or media folder that has data).
restore: db
	@test -n "$(FILE)$(DIR)" || { echo "usage: make restore FILE=var/backups/<time> [FORCE=1]" >&2; exit 2; }
	$(PY) -m smartchunks.backup restore "$(or $(FILE),$(DIR))" $(if $(FORCE),--force)
