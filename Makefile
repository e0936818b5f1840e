# Two commands on a fresh machine with Python 3.11+:
#   make demo   sets up the environment and runs the self-contained demo (SQLite, local stand-ins)
#   make test   sets up the environment and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint bench bench-webhooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/duebot demo

serve: $(STAMP)
	$(BIN)/duebot serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -rs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true
	$(BIN)/mypy

# Every benchmark at a size that takes a few minutes in all (import, dispatch, webhooks, planning), then
# one table of each figure beside its ceiling measured in the same run (bench/README.md). PostgreSQL
# too when DUEBOT_TEST_POSTGRES_URL names a server (throw-away databases are created beside it).
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Webhook latency beside a first-of-day pass, against a bare handler, at a size that takes a few
# minutes (bench/README.md has the full-size figures): SQLite at 100/s, and PostgreSQL at 200/s when
# DUEBOT_TEST_POSTGRES_URL names a server to create a throw-away database on.
WEBHOOK_BENCH := $(BIN)/python bench/webhook_latency.py --book 50000 --seconds 15
bench-webhooks: $(STAMP)
	$(WEBHOOK_BENCH) --db sqlite
	$(WEBHOOK_BENCH) --db sqlite --with-pass
	@if [ -n "$$DUEBOT_TEST_POSTGRES_URL" ]; then \
		$(WEBHOOK_BENCH) --db postgres && $(WEBHOOK_BENCH) --db postgres --with-pass; \
	else echo "bench-webhooks: PostgreSQL skipped (DUEBOT_TEST_POSTGRES_URL is not set)"; fi

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache
