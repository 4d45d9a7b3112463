# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
DEMO_ENV := DATA_DIR=$(CURDIR)/var DATABASE_URL=

.PHONY: install demo demo-data serve test lint test-sqlite test-postgres clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Lianxin needs Python 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Install, migrate SQLite, load the demo district (once), then serve it with the job consumer.
demo: install demo-data serve

demo-data: install
	$(DEMO_ENV) $(BIN)/lianxin migrate --noinput
	$(DEMO_ENV) $(BIN)/lianxin load_demo --if-empty

serve: install
	$(DEMO_ENV) $(BIN)/lianxin demo_logins
	@echo "连心 is running on http://127.0.0.1:8000  (Ctrl-C stops it)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEMO_ENV) $(BIN)/lianxin run_huey --quiet & \
	  $(DEMO_ENV) $(BIN)/lianxin runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint test-sqlite test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -n 2

test-postgres: install
	@if $(BIN)/python scripts/pg_reachable.py "$(PG_TEST_URL)"; then \
	  echo "== tests on PostgreSQL ($(PG_TEST_URL)) =="; \
	  env -u REDIS_URL DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -n 2; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL at $(PG_TEST_URL) cannot be reached, and CI requires it." >&2; exit 1; \
	else \
	  echo "PostgreSQL at $(PG_TEST_URL) cannot be reached: skipping the PostgreSQL half."; \
	fi

clean:
	rm -rf $(VENV) var
