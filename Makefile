# Accord: `make run` installs what running needs and starts the server with a demo project;
# `make test` installs everything and runs every test (SQLite, then PostgreSQL), starting
# throwaway PostgreSQL and Redis servers when the machine has none (tools/services.py).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
VENV_DATUMARO ?= .venv-datumaro
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/accord_test
WEB_DIST := src/accord/web_dist/index.html
# Each pass runs on this many pytest-xdist workers (tests wait on servers and browsers a lot:
# on a 2-core machine, 3 workers took the two passes from 1,110 + 961 s to 836 + 552 s, and on
# another 2-core machine 4 workers from 683 + 506 s with 3 to 594 + 436 s, all green).
TEST_WORKERS ?= 4

.PHONY: install install-run web run test test-python test-sqlite test-postgres test-datumaro test-web lint browser bench clean

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

# Datumaro, the outside reader of the cvat-video export (tests/formats/test_cvat_video_datumaro.py),
# pins pandas~=2.3, pillow~=12.0, pyarrow~=25.0 and opencv-python-headless<5, older than .venv's.
# So it gets an overlay on .venv instead of a venv of its own: a .pth file adds .venv's
# site-packages (pandas, Pillow, numpy, pytest, accord itself) after the overlay's, which holds
# Datumaro and those of its requirements .venv lacks, pinned, installed with --no-deps (`pip
# check` there lists only the four pins above). .venv is never written to. Rebuilt (in seconds)
# when .venv is reinstalled or this file changes.
DATUMARO_PINS := datumaro==1.13.12 cachetools==7.3.3 imagesize==2.0.1 json-stream==2.5.1 \
	json-stream-rs-tokenizer==0.5.4 lxml==6.2.0 ruamel.yaml==0.19.1

$(VENV_DATUMARO)/.installed: $(VENV)/.installed Makefile
	rm -rf $(VENV_DATUMARO)
	$(PY) -m venv --without-pip $(VENV_DATUMARO)
	$(PY) -c 'import sysconfig; print("import site; site.addsitedir(%r)" % sysconfig.get_path("purelib"))' \
		> "$$($(VENV_DATUMARO)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/accord-main-venv.pth"
	$(VENV_DATUMARO)/bin/python -m pip install -q --no-deps $(DATUMARO_PINS)
	touch $@

# The import first: the test file skips where Datumaro does not import, which here is a failure.
test-datumaro: $(VENV_DATUMARO)/.installed
	$(VENV_DATUMARO)/bin/python -c 'import datumaro.plugins.data_formats.cvat.base'
	$(VENV_DATUMARO)/bin/python -m pytest -q tests/formats/test_cvat_video_datumaro.py

# ACCORD_TEST_REDIS_URL (tests that need Redis): set by tools/services.py under `make test`;
# run alone, these targets use the machine's Redis (database 15) when it answers.
test-sqlite: install web browser
	env -u ACCORD_TEST_DATABASE_URL $(PY) -m pytest -q -n $(TEST_WORKERS) --durations=25

# On PostgreSQL: every test that touches the database except the browser tests, which drive
# the same API the db tests cover, and of those the ones marked `postgres` (the annotation,
# review, gold and adjudication loops, and the queue's flags and sensitive tasks end to end).
test-postgres: install web browser
	ACCORD_TEST_DATABASE_URL=$${ACCORD_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(PY) -m pytest -q -n $(TEST_WORKERS) --durations=25 -m "(db and not browser) or postgres"

test: lint test-web test-datumaro
	$(PY) tools/services.py run -- $(MAKE) --no-print-directory test-sqlite test-postgres

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) $(VENV_DATUMARO) web/node_modules src/accord/web_dist
