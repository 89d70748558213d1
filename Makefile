# Refusal Tracker: `make run` sets everything up and serves the app on SQLite with the seed
# cases; `make test` runs the test suite. Both create the virtual environment when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install migrate test lint clean

run: setup
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: install
	DJANGO_DEBUG=true $(BIN)/python manage.py compile_translations
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_seeds

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@if command -v npm >/dev/null; then cd tests/e2e && npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: the browser accessibility checks will be skipped"; fi
	touch $@

test: install
	DJANGO_DEBUG=true $(BIN)/python manage.py compile_translations --verbosity 0
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
