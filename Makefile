# Two commands: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs on every core; `make test PYTEST_ARGS="-n0 -k name"` runs one test in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-dev translations extract-messages update-translations db-upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

## Compile the translation catalogs (.po -> .mo); compiled files are never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d lms/translations -D messages

## Find every marked string and merge it into each language's catalog.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c "TRANSLATORS:" --no-location \
		--project "BIPOC Community of Leaders LMS" --sort-output -o lms/translations/messages.pot .
update-translations: extract-messages
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -D messages --no-fuzzy-matching --ignore-obsolete

db-upgrade: install
	$(FLASK) db upgrade

run: db-upgrade
	LMS_PUBLIC_URL='$(or $(LMS_PUBLIC_URL),http://$(HOST):$(PORT))' $(FLASK) lms demo-data
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/ruff check lms certificates tests benchmarks migrations config.py wsgi.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
