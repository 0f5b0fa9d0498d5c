# revcycle developer entry points. `make demo` and `make test` are the two set-up commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test lint typecheck unit test-sqlite test-postgres bench lock clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements/runtime.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/runtime.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/revcycle demo

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test-sqlite: $(VENV)/.dev
	env -u REVCYCLE_TEST_POSTGRES_URL $(BIN)/pytest -q

# The second pass runs every database test again on PostgreSQL; it fails if the server is down.
test-postgres: $(VENV)/.dev
	REVCYCLE_TEST_POSTGRES_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m db

test: lint typecheck test-sqlite test-postgres

bench: $(VENV)/.dev
	$(BIN)/python -m bench

serve: $(VENV)/.runtime
	$(BIN)/revcycle serve

# Re-pin every dependency after editing pyproject.toml (see README, "Updating dependencies").
lock:
	$(PYTHON) -m venv .lockenv && .lockenv/bin/pip install -q uv
	.lockenv/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --upgrade -q -o requirements/runtime.lock
	.lockenv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --upgrade -q -o requirements/dev.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache demo-out revcycle.db
