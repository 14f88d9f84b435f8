# Atrium: `make up` starts the whole local stack; `make test` runs the whole gate.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
export ATRIUM_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export ATRIUM_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install system-deps ui ui-check up test lint typecheck pytest bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Debian's chromium for the console's browser tests (never a downloaded browser), iproute2 for
# the multi-host test's network namespaces and haproxy, the compose file's gateway, for the
# rolling-restart test (tests/resilience) and the TLS terminator of the TLS tests
# (tests/support/tls_proxy.py).
system-deps:
	@if ! command -v ip >/dev/null; then \
	  echo "installing Debian iproute2"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; fi; \
	fi
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
	  echo "installing Debian haproxy"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; fi; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi

ui/node_modules/.installed: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ui: ui/node_modules/.installed
	cd ui && npm run build --silent

ui-check: ui/node_modules/.installed
	cd ui && npm run typecheck --silent && npm run build --silent

up: install ui
	$(BIN)/atrium up

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r api atrium workflows activities connectors worker.py

typecheck: install
	$(BIN)/mypy .

# The suite runs on two xdist workers, a test file each at a time (12 min instead of 24 here; each
# worker has its own servers and its own port range, tests/support/servers.py).
# PYTEST_ARGS= (empty) runs it on one process.
PYTEST_ARGS ?= -n 2 --dist loadfile

pytest: install system-deps ui-check
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The checks and the console's build need one core each: they run side by side, then pytest.
test: install
	$(MAKE) --no-print-directory -j3 -O lint typecheck system-deps ui-check
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: install
	$(PY) -m bench.sync --records 1000000
	$(PY) -m bench.events --rate 50 --seconds 60

clean:
	rm -rf $(VENV) ui/node_modules ui/dist .mypy_cache .ruff_cache .pytest_cache
