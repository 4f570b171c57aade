# Two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
LINT_DIRS := $(wildcard bot handlers models seeds tests benchmarks qib_testing)
# The property tests are derandomized in every target but `fuzz`: the same examples on every run.
HYPOTHESIS_PROFILE ?= ci
export HYPOTHESIS_PROFILE

.PHONY: run test test-sqlite test-postgres fuzz lint bench bench-questions soak clean

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
	$(BIN)/mypy bot handlers models benchmarks qib_testing

# Each suite runs on TEST_WORKERS pytest-xdist workers (`TEST_WORKERS=0` runs it in one process), each
# worker with a database of its own. Much of the suite waits (on subprocesses starting, sockets, timeouts
# it proves), so more workers than cores pays. Tests sharing a module's fixture stay on one worker.
# The suites keep compiled modules (__pycache__/, which git ignores) even where the environment says not
# to write them (PYTHONDONTWRITEBYTECODE): the workers and the few hundred `qib` processes the suites start
# would otherwise each compile the package, and pytest rewrite the tests, afresh.
TEST_WORKERS ?= 3
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m "not soak" -n $(TEST_WORKERS) --dist loadgroup

test-sqlite: $(VENV)/.installed
	QIB_TEST_DATABASE_URL= $(PYTEST) $(PYTEST_ARGS)

# ONLY_DATABASE=1 runs only the tests that reach the test database (tests/conftest.py): `make test` sets it
# for the PostgreSQL half, as the SQLite half runs the others already and they do the same on both.
ONLY_DATABASE ?=
test-postgres: $(VENV)/.installed
	QIB_TEST_DATABASE_URL=$(PG_TEST_URL) QIB_TEST_ONLY_DATABASE=$(ONLY_DATABASE) $(PYTEST) $(PYTEST_ARGS)

# Lint, then both suites side by side; each one's output is printed whole when it ends (--output-sync),
# and the target fails when either fails.
test: lint
	@echo "running the SQLite and PostgreSQL suites side by side; each prints its report when it ends"
	@$(MAKE) --no-print-directory -j2 --output-sync=target -o $(VENV)/.installed test-sqlite test-postgres \
		ONLY_DATABASE=1

# Exploration: fresh random examples, twenty times as many (QIB_PROPERTY_SCALE); failures are kept in
# .hypothesis/ and replayed first next time.
fuzz: $(VENV)/.installed
	HYPOTHESIS_PROFILE=fuzz QIB_PROPERTY_SCALE=$${QIB_PROPERTY_SCALE:-20} QIB_TEST_DATABASE_URL= \
		$(BIN)/python -m pytest -m "not soak" tests/properties $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run

bench-questions: $(VENV)/.installed
	$(BIN)/python -m benchmarks.questions

soak: $(VENV)/.installed
	QIB_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis qib.sqlite3*
