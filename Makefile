# Accord: `make run` installs everything and starts the server with a demo project;
# `make test` installs everything and runs every test (SQLite, then PostgreSQL).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/accord_test
WEB_DIST := src/accord/web_dist/index.html

.PHONY: install web run test test-python test-sqlite test-postgres test-web lint browser bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,reference]'
	touch $@

install: $(VENV)/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_DIST): web/node_modules/.installed $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run build

web: $(WEB_DIST)

run: install web
	$(VENV)/bin/accord serve --demo

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test-web: web
	cd web && npm run typecheck && npm test

test-sqlite: install web browser
	$(PY) -m pytest -q

test-postgres: install web browser
	ACCORD_TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q -m "db or browser"

test: lint test-web test-sqlite test-postgres

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) web/node_modules src/accord/web_dist
