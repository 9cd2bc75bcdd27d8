# Accord: `make run` installs what running needs and starts the server with a demo project;
# `make test` installs everything and runs every test (SQLite, then PostgreSQL), starting
# throwaway PostgreSQL and Redis servers when the machine has none (tools/services.py).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/accord_test
WEB_DIST := src/accord/web_dist/index.html
# Each pass runs on this many pytest-xdist workers (tests wait on servers and browsers a lot:
# on this 2-core machine, 3 workers took the two passes from 1,110 + 961 s to 836 + 552 s).
TEST_WORKERS ?= 3

.PHONY: install install-run web run test test-python test-sqlite test-postgres test-web lint browser bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Running needs the package alone; tests and benchmarks also need the test and reference extras.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,reference]'
	touch $@ $(VENV)/.installed-run

install-run: $(VENV)/.installed-run

install: $(VENV)/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_DIST): web/node_modules/.installed $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run build

web: $(WEB_DIST)

run: install-run web
	$(VENV)/bin/accord serve --demo

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here);
# Debian's ffmpeg encodes the test videos (tests/media/video_samples.py); espeak-ng and sox make
# the test speech and tones (tests/media/audio_samples.py).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@command -v ffmpeg >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null)
	@command -v espeak-ng >/dev/null && command -v sox >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox >/dev/null)

lint: install
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/mypy

test-web: web
	cd web && npm run typecheck && npm test

# ACCORD_TEST_REDIS_URL (tests that need Redis): set by tools/services.py under `make test`;
# run alone, these targets use the machine's Redis (database 15) when it answers.
test-sqlite: install web browser
	env -u ACCORD_TEST_DATABASE_URL $(PY) -m pytest -q -n $(TEST_WORKERS) --durations=25

# On PostgreSQL: every test that touches the database except the browser tests, which drive
# the same API the db tests cover, and of those the ones marked `postgres` (the annotation,
# review, gold and adjudication loops, and the queue's flags and sensitive tasks end to end).
test-postgres: install web browser
	ACCORD_TEST_DATABASE_URL=$${ACCORD_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(PY) -m pytest -q -n $(TEST_WORKERS) --durations=25 -m "(db and not browser) or postgres"

test: lint test-web
	$(PY) tools/services.py run -- $(MAKE) --no-print-directory test-sqlite test-postgres

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) web/node_modules src/accord/web_dist
