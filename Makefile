# The two commands a new user needs: `make run` and `make test`.
# Works on a fresh machine with Python 3.11, make and git.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# read from the environment like every setting (etl/settings.py), or: make run METRICS_PORT=8080
METRICS_HOST ?= 127.0.0.1
METRICS_PORT ?= 8050
WORKERS ?= 3

.PHONY: run test venv test-deps browser benchmark screenshots clean

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
	$(VENV)/bin/gunicorn app:server --workers $(WORKERS) --bind $(METRICS_HOST):$(METRICS_PORT) --access-logfile -

## Debian's chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Run every test (installs what the tests need first).
test: $(VENV)/.test-installed browser
	$(PY) -m pytest

benchmark: $(VENV)/.test-installed browser
	$(PY) -m tests.benchmark

screenshots: $(VENV)/.test-installed browser
	$(PY) -m tests.screenshots

clean:
	rm -rf $(VENV) data/store
