# Two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
LINT_DIRS := $(wildcard bot handlers models seeds tests benchmarks)

.PHONY: run test test-sqlite test-postgres lint bench bench-questions soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/qib db upgrade
	$(BIN)/qib seed
	$(BIN)/qib run

lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/mypy bot models

test-sqlite: $(VENV)/.installed
	QIB_TEST_DATABASE_URL= $(BIN)/python -m pytest -m "not soak" $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed
	QIB_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m "not soak" $(PYTEST_ARGS)

test: lint test-sqlite test-postgres

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run

bench-questions: $(VENV)/.installed
	$(BIN)/python -m benchmarks.questions

soak: $(VENV)/.installed
	QIB_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache qib.sqlite3*
