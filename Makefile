# make run: install into .venv, apply migrations, serve on the embedded defaults.
# make test: install what the tests need and run the whole suite.
PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint migrate outbox clean

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-lint: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

run: migrate
	@echo ""
	@echo "  Request form:   http://$(HOST):$(PORT)/request"
	@echo "  Privacy notice: http://$(HOST):$(PORT)/privacy"
	@echo "  Health check:   http://$(HOST):$(PORT)/healthz"
	@echo "  Staff sign-in:  http://$(HOST):$(PORT)/staff/  (first owner: .venv/bin/flask --app wsgi staff add EMAIL --role owner)"
	@echo "  Embed script:   http://$(HOST):$(PORT)/embed.js"
	@echo "  Staff emails are written to instance/mail/ unless MAIL_SERVER is set."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

outbox: migrate
	$(FLASK) outbox run

test: $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff (style and mistakes), mypy (types, zero errors), import-linter (the arrows between packages).
lint: $(VENV)/.installed-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache
