# Campus — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CAMPUS := $(BIN)/campus
STAMP := $(VENV)/.installed
# Local commands run in development mode; production sets DEBUG=0 and a SECRET_KEY.
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2

.PHONY: run test install migrate messages test-db test-browser test-worker test-apifuzz test-mdsc-frontend i18n-check bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(CAMPUS) compilemessages --ignore=.venv --ignore=var >/dev/null

migrate: messages
	$(CAMPUS) migrate --noinput

# `make run`: install, migrate, load the demo when the database is empty, then serve
# web (gunicorn) + Celery worker + beat on http://$(HOST):$(PORT). Ctrl-C stops all.
run: migrate
	$(CAMPUS) demo --if-empty
	$(CAMPUS) collectstatic --noinput >/dev/null
	$(BIN)/python -m campus.core.serve --host $(HOST) --port $(PORT) --web-workers $(WEB_WORKERS)

# `make test`: the suite on the embedded defaults (SQLite), plus lint and types.
test: messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy campus bench
	$(CAMPUS) makemigrations --check --dry-run
	$(BIN)/pytest -q

# One database of the matrix: make test-db DATABASE_URL=postgres://...
test-db: messages
	CAMPUS_REQUIRE_ALL=1 $(BIN)/pytest -q

test-browser: messages
	$(BIN)/pytest -q -m browser

test-worker: messages
	$(BIN)/pytest -q -m worker

# Schemathesis over the whole OpenAPI document, as a demo student and a demo instructor:
# no 5xx, every status code, content type and body as documented (campus/core/tests/test_apifuzz.py).
test-apifuzz: messages
	$(BIN)/pytest -q -m apifuzz

# The original MdSC frontend's pages against Campus (not in CI: it needs the frontend
# built outside this repository, see docs/mdsc-frontend.md). MDSC_FRONTEND_DIR=... make test-mdsc-frontend
test-mdsc-frontend: messages
	$(BIN)/pytest -q -m mdsc_frontend --liveserver=127.0.0.1:8000

# Benchmarks use their own database (never ./var): make bench SIZE=m
SIZE ?= s
# Every French string has an English translation (CI runs it; it refreshes the .po).
# makemessages sees the gettext calls of templates and Python; test_i18n.py then checks
# what it cannot see: app, model, field and choice names not lazily translated (the
# admin's), French text built in Python outside gettext (or through an alias such as
# `_t`, which is never extracted), and the admin index in English and in French.
i18n-check: install
	$(CAMPUS) makemessages -l en --ignore=.venv --ignore=var --ignore=test-artifacts --no-location --no-obsolete >/dev/null
	@missing=$$(msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po | grep -A1 '^msg\(ctxt\|id\) "[^"]'; msgattrib --untranslated locale/en/LC_MESSAGES/django.po | grep -A1 '^msg\(ctxt\|id\) "[^"]'); \
	  if [ -n "$$missing" ]; then echo "Untranslated or fuzzy strings in locale/en:"; echo "$$missing"; exit 1; fi
	msgfmt --check-format -o /dev/null locale/en/LC_MESSAGES/django.po
	$(CAMPUS) compilemessages --ignore=.venv --ignore=var >/dev/null
	$(BIN)/pytest -q -p no:cacheprovider campus/core/tests/test_i18n.py
	@echo "i18n: every string is translated"

bench: messages
	CAMPUS_VAR_DIR=$${CAMPUS_VAR_DIR:-/tmp/campus-bench-$(SIZE)} $(BIN)/python -m bench.run --size $(SIZE)

clean:
	rm -rf $(VENV) var
