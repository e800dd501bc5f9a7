# PhotoMania — `make run` serves the product, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
REQ_HASH := $(shell sha1sum requirements.txt | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQ_HASH)

# The suite runs against the real services on loopback.
TEST_DB ?= photomania
TEST_REDIS_DB ?= 1
TEST_ENV := PHOTOMANIA_TESTING=1 \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB)
# A production-shaped environment for `check --deploy`.
PROD_ENV := DEBUG=False ALLOWED_HOSTS=photomania.example \
	SECRET_KEY=ci-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP

.PHONY: run test venv services lint format bench gallery references clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)
	@bash .ci/models.sh

run: venv
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 (web + Celery worker + beat); Ctrl-C stops."
	$(BIN)/honcho -f Procfile.dev start

services:
	@bash .ci/services.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv services
	@bash .ci/browser.sh
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(BIN)/pytest

# Production settings against the bench's own database (photomania_bench) and Redis db 9.
bench: venv services
	$(BIN)/python -m bench

# Contact sheets of every local effect on the sample photos, and docs/effects.md.
gallery: venv
	$(BIN)/python manage.py render_gallery

# Rewrite the effects' reference images (tests/effects/engines/references/); review them before committing.
references: venv
	$(BIN)/python -m tests.effects.engines.references

clean:
	rm -rf var .pytest_cache
