# The two commands a fresh machine needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1:8000
# Links in e-mails and the printed demo logins point where the demo is served.
BASE_URL ?= http://$(HOST)
PYTEST_ARGS ?=
BENCH_ARGS ?=
BOOKING_BENCH_ARGS ?=

.PHONY: demo test install system-packages python-packages messages migrate seed serve smoke lint bench bench-catalogue bench-booking clean

## demo: install everything, migrate, seed the demo district and serve on http://$(HOST)
demo: install migrate seed serve

## test: install everything and run the test suite (unit, integration and browser tests)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: system-packages python-packages messages

system-packages:
	@bash .ci/system-packages

python-packages: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0

seed: migrate
	BASE_URL=$(BASE_URL) $(BIN)/python manage.py seed_demo

serve:
	BASE_URL=$(BASE_URL) $(BIN)/python manage.py runserver $(HOST)

## smoke: the embedded default (SQLite, local files, eager tasks) from scratch, served and fetched
smoke: install
	bash .ci/smoke

lint: python-packages
	$(BIN)/ruff check .

## bench: both benchmarks (tests/bench/README.md); e.g. BENCH_ARGS="--seconds 8"
bench: bench-catalogue bench-booking

bench-catalogue: python-packages
	$(BIN)/python tests/bench/bench_catalogue.py $(BENCH_ARGS)

## bench-booking: PostgreSQL only: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
bench-booking: python-packages
	$(BIN)/python tests/bench/bench_booking.py $(BOOKING_BENCH_ARGS)

clean:
	rm -rf $(VENV) var *.egg-info
