# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
# The demo's text messages go to var/sms.jsonl, not the terminal (read them there).
DEMO_ENV := DATA_DIR=$(CURDIR)/var DATABASE_URL= SMS_BACKEND=lianxin.notify.backends.FileBackend
# The SQLite half runs with the clock this many days ahead (the PostgreSQL half runs at
# today's): a test that passes only in the month it was written fails now, not next year.
CLOCK_SHIFT_DAYS ?= 400

.PHONY: install demo demo-data serve test lint browser-deps test-sqlite test-postgres clean

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

# The job consumer logs to var/huey.log; the logins come last, once both have started,
# so that they are the last thing on the screen before the requests scroll by.
serve: install
	@mkdir -p var
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEMO_ENV) $(BIN)/lianxin run_huey --quiet >> var/huey.log 2>&1 & \
	  $(DEMO_ENV) $(BIN)/lianxin runserver 127.0.0.1:8000 & \
	  sleep 4; \
	  $(DEMO_ENV) $(BIN)/lianxin demo_logins; \
	  echo "连心 is running on http://127.0.0.1:8000  (Ctrl-C stops it)"; \
	  echo "Texts the demo sends: var/sms.jsonl · job consumer log: var/huey.log"; \
	  wait

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# A model change without its migration fails here, not on the server (SQLite: no server).
	env -u DATABASE_URL -u REDIS_URL $(BIN)/lianxin makemigrations --check --dry-run
	@# Types (configured in pyproject.toml); the cache in .mypy_cache makes a re-run quick.
	env -u DATABASE_URL -u REDIS_URL $(BIN)/mypy

test: lint browser-deps test-sqlite test-postgres

# The browser tests drive Debian's Chromium; a CJK font makes their screenshots legible.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium and a CJK font for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null \
	      || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
	          apt-get install -y -q chromium fonts-noto-cjk >/dev/null); \
	  else \
	    echo "No Chromium at /usr/bin/chromium: install it (apt-get install chromium fonts-noto-cjk)" \
	         "or the browser tests will skip (and fail under CI=true)."; \
	  fi; \
	fi

test-sqlite: install
	@echo "== tests on SQLite, the clock $(CLOCK_SHIFT_DAYS) days ahead =="
	env -u DATABASE_URL -u REDIS_URL LIANXIN_TEST_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS) \
	  $(BIN)/pytest -n 2

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
