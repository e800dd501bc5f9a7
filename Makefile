# PhotoMania — `make run` serves the product, `make test` runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# One stamp per requirements set, named by the hash of its files: `make run` installs the runtime
# only, `make test`/`make lint`/`make bench` add the tools; switching back and forth reinstalls
# nothing unless a requirements file changed.
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PIP_INSTALL := PYTHONUNBUFFERED=1 $(BIN)/python -m pip install --progress-bar off --disable-pip-version-check
# Only what is being installed: no "already satisfied" lines, and no warnings about package
# locations named by the machine's own pip configuration that do not exist.
# (grep finding nothing to print is fine; a pip failure still fails the step through pipefail.)
PIP_FILTER := { grep --line-buffered -vE "^Requirement already satisfied|^WARNING: Location '.*' is ignored" || true; }

# Development mode is explicit: the settings default to production (DEBUG=False).
DEV_ENV := DEBUG=True SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

# The suite runs against the real services on loopback.
TEST_DB ?= photomania
TEST_REDIS_DB ?= 1
TEST_ENV := PHOTOMANIA_TESTING=1 \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB)
# Parallel test processes (pytest-xdist). Each has its own test database (test_<TEST_DB>_gw0...),
# Redis db (TEST_REDIS_DB + its index, see tests/settings.py) and temporary media folders.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup
# A production-shaped environment for `check --deploy`.
PROD_ENV := DEBUG=False ALLOWED_HOSTS=photomania.example \
	SECRET_KEY=ci-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP

.PHONY: run test test-fast venv venv-dev models services lint format audit bench gallery references clients clean

$(BIN)/python:
	@echo "==> Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	@echo "==> Installing runtime dependencies (requirements.txt)"
	@$(PIP_INSTALL) -r requirements.txt 2>&1 | $(PIP_FILTER)
	@rm -f $(VENV)/.runtime-*
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	@echo "==> Installing runtime, test and tooling dependencies (requirements-dev.txt)"
	@$(PIP_INSTALL) -r requirements-dev.txt 2>&1 | $(PIP_FILTER)
	@rm -f $(VENV)/.dev-*
	@touch $@

venv: $(RUNTIME_STAMP) models

venv-dev: $(DEV_STAMP) models

models:
	@echo "==> Checking the people-effect models (scripts/models.sh)"
	@bash scripts/models.sh

run: venv
	@mkdir -p var
	@echo "==> Migrating the database"
	@$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the demo catalog and accounts"
	@$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "==> Serving http://127.0.0.1:$(PORT) (web + Celery worker + beat); Ctrl-C stops."
	@$(DEV_ENV) $(BIN)/python scripts/honcho_run.py -f Procfile.dev start -p $(PORT)

services:
	@bash scripts/services.sh

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv-dev services
	@bash scripts/browser.sh
	@bash scripts/nginx.sh
	@bash scripts/clients.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(BIN)/pytest --create-db $(PYTEST_PARALLEL)

# The quick loop: unit and integration tests without tests/system, on the test databases kept from
# the last run (pyproject's --reuse-db; `make test` rebuilds them).
test-fast: venv-dev services
	$(TEST_ENV) $(BIN)/pytest -m "not system" $(PYTEST_PARALLEL)

# Known vulnerabilities in the pinned runtime dependencies (needs pip-audit's online database): names every
# package it could not check, and fails when it checked none of them or found a vulnerability.
audit: venv-dev
	$(BIN)/python scripts/audit.py -r requirements.txt

# Production settings against the bench's own database (photomania_bench) and Redis db 9.
bench: venv-dev services
	$(BIN)/python -m bench

# Contact sheets of every local effect on the sample photos, and docs/effects.md.
gallery: venv
	@$(DEV_ENV) $(BIN)/python manage.py render_gallery

# Rewrite the effects' reference images (tests/effects/engines/references/); review them before committing.
references: venv
	$(BIN)/python -m tests.effects.engines.references

# The OpenAPI schema and the clients generated from it (clients/); the suite checks they are current.
# The servers entry is the development URL whatever SITE_URL says, so the output is reproducible.
clients: venv-dev
	@echo "==> Exporting the OpenAPI schema (clients/openapi.yaml)"
	@$(DEV_ENV) SITE_URL=http://127.0.0.1:8000 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file clients/openapi.yaml
	@echo "==> Generating the Python client (clients/python)"
	@$(BIN)/openapi-python-client generate --path clients/openapi.yaml --config clients/python-config.yaml \
		--output-path clients/python --overwrite
	@echo "==> Generating the TypeScript types (clients/typescript/src/schema.d.ts)"
	@cd clients/typescript && npm ci --no-audit --no-fund --silent && npm run --silent generate

clean:
	rm -rf var .pytest_cache
