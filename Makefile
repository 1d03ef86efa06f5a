# The two commands a new user needs: `make run` and `make test`.
# Works on a fresh machine with Python 3.11, make and git.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# read from the environment like every setting (etl/settings.py), or: make run METRICS_PORT=8080
METRICS_HOST ?= 127.0.0.1
METRICS_PORT ?= 8050
WORKERS ?= 3
# A request is killed after GUNICORN_TIMEOUT seconds; each worker is replaced after about
# 1000 requests (jittered, so they do not all restart at once). Same as the Procfile.
GUNICORN_FLAGS ?= --timeout 60 --graceful-timeout 30 --max-requests 1000 --max-requests-jitter 100

.PHONY: run test test-fast lint venv test-deps browser poppler benchmark screenshots clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

## Serve the dashboard on http://127.0.0.1:8050 (builds the demo store on first use).
run: $(VENV)/.installed
	$(PY) -m etl init
	$(VENV)/bin/gunicorn app:server --workers $(WORKERS) --bind $(METRICS_HOST):$(METRICS_PORT) $(GUNICORN_FLAGS) --access-logfile -

## Debian's chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Run every test (installs what the tests need first): the linter, then every test tier.
test: $(VENV)/.test-installed browser lint
	$(PY) -m pytest

## The edit loop: everything but the browser and gunicorn tests, on every core, in under a minute.
test-fast: $(VENV)/.test-installed lint
	$(PY) -m pytest -m "not browser and not slow" -q -n auto

lint: $(VENV)/.test-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Speed: page callbacks and time to table (docs/benchmark.md), first paint quiet and on a slow
## laptop (docs/benchmark-paint.md), storing a return (docs/benchmark-store.md), at scale
## (docs/benchmark-scale.md).
benchmark: $(VENV)/.test-installed browser
	$(PY) -m tests.benchmark
	$(PY) -m tests.bench_paint
	$(PY) -m tests.bench_store
	$(PY) -m tests.bench_scale

## pdftoppm (poppler-utils) for the printed pages in docs/print/ (the screenshots only; no test needs it).
poppler:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

screenshots: $(VENV)/.test-installed browser poppler
	$(PY) -m tests.screenshots

clean:
	rm -rf $(VENV) data/store
