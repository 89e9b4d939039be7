# Two commands on a fresh clone: `make run` (install, build the index if needed, serve) and
# `make test` (install, run the whole suite). Everything the project needs is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# PyTorch's CPU build. This machine's pip finds it on local disk; elsewhere set
# TORCH_INDEX=https://download.pytorch.org/whl/cpu so pip does not fetch a multi-GB CUDA build.
TORCH_INDEX ?=

.PHONY: install browser postgres run test test-fast eval bench lint lint-js fmt clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (Playwright's own download is never used); we run as root.
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

# The store's tests run against a real PostgreSQL too (tests/postgres.py starts one per session).
postgres:
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends postgresql)

run: install
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

test: install browser postgres lint
	$(BIN)/python -m pytest

# The quick subset for the edit-test loop: no real servers (PostgreSQL included), no browser, no model process.
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Answer quality on the evaluation set in eval/ (ASSISTANT_EVAL_DIR), with the bundled model.
eval: install
	$(BIN)/assistant build
	$(BIN)/assistant eval

# wrk (Debian) drives the load benchmark from C, leaving the CPU to the server under test.
bench: install
	command -v wrk >/dev/null || (apt-get update && apt-get install -y --no-install-recommends wrk)
	$(BIN)/assistant build
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_build.py

# ESLint and its rules come from npm, pinned in package.json, into a local node_modules.
$(NODE_STAMP): package.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y --no-install-recommends nodejs npm)
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

lint: install $(NODE_STAMP)
	$(BIN)/ruff check assistant tests bench
	$(BIN)/ruff format --check assistant tests bench
	npx --no-install eslint web

lint-js: $(NODE_STAMP)
	npx --no-install eslint web

fmt: install
	$(BIN)/ruff check --fix assistant tests bench
	$(BIN)/ruff format assistant tests bench

clean:
	rm -rf $(VENV) node_modules index/build-* index/current index/.build-* .pytest_cache
