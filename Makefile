# cxm — two commands: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export CXM_DATABASE_URL ?= sqlite:///var/cxm.db

.PHONY: install assets demo serve test test-sqlite test-postgres bench lint format clean

$(STAMP): pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@test -x $(PY) || uv venv --quiet --python python3 $(VENV)
	uv pip install --quiet --python $(PY) -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) assets

# Chart and HTMX libraries, served by cxm itself (pinned in package-lock.json; needs npm once).
assets:
	scripts/vendor-assets.sh

demo: install
	$(VENV)/bin/cxm demo --reset --seed 42 --customers 5000
	$(VENV)/bin/cxm text backfill
	$(VENV)/bin/cxm serve

serve: install
	$(VENV)/bin/cxm serve

test: install
	scripts/test.sh

test-sqlite: install
	$(PY) -m pytest

test-postgres: install
	scripts/with-postgres.sh $(PY) -m pytest

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
