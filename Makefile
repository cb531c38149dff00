# make run: install into .venv, apply migrations, serve on the embedded defaults.
# make test: install what the tests need (the Nu HTML checker too: .ci/ensure-vnu) and run the whole suite.
# make serve: as in production: gunicorn with deploy/gunicorn.conf.py (the README's "Running it in production").
PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test lint migrate outbox clean translations translations-extract translations-update

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-lint: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

# The gettext catalogues (clinic_app/translations/<language>/LC_MESSAGES/messages.po, one per language
# but English, which is the source). make translations-extract collects every marked string into
# messages.pot; make translations-update merges it into each messages.po for translators; the
# compiled .mo files are built by run, serve and test (make translations), never committed.
CATALOGUES := clinic_app/translations
CATALOGUE_SOURCES := $(wildcard $(CATALOGUES)/*/LC_MESSAGES/messages.po)
COMPILED_CATALOGUES := $(CATALOGUE_SOURCES:.po=.mo)

$(CATALOGUES)/%/LC_MESSAGES/messages.mo: $(CATALOGUES)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics --domain messages --directory $(CATALOGUES) --locale $*

translations: $(COMPILED_CATALOGUES)

translations-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --mapping-file babel.cfg --keywords _l --keywords N_ --sort-by-file \
		--project clinic-app --msgid-bugs-address "" --output-file $(CATALOGUES)/messages.pot .

translations-update: translations-extract
	$(VENV)/bin/pybabel update --input-file $(CATALOGUES)/messages.pot --output-dir $(CATALOGUES) \
		--no-fuzzy-matching --ignore-obsolete

migrate: $(VENV)/.installed translations
	$(FLASK) db upgrade

run: migrate
	@echo ""
	@echo "  Request form:   http://$(HOST):$(PORT)/request"
	@echo "  Privacy notice: http://$(HOST):$(PORT)/privacy"
	@echo "  In Spanish:     http://$(HOST):$(PORT)/request?lang=es"
	@echo "  Health check:   http://$(HOST):$(PORT)/healthz"
	@echo "  Staff sign-in:  http://$(HOST):$(PORT)/staff/  (first owner: .venv/bin/flask --app wsgi staff add EMAIL --role owner)"
	@echo "  Embed script:   http://$(HOST):$(PORT)/embed.js"
	@echo "  Staff emails are written to instance/mail/ unless MAIL_SERVER is set."
	@echo ""
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run --host $(HOST) --port $(PORT)

# gunicorn with deploy/gunicorn.conf.py, on DATABASE_URL (PostgreSQL in production). Email is sent by
# its own process (`make outbox`, or deploy/systemd/clinic-outbox.service), so OUTBOX_WORKER is off
# here unless set. With more than one worker process, set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379
# so that every process counts against the same limits.
serve: migrate
	@echo ""
	@echo "  Serving with gunicorn (deploy/gunicorn.conf.py) at http://$(HOST):$(PORT)/"
	@[ -n "$$DATABASE_URL" ] && echo "  Database:       from DATABASE_URL" || echo "  Database:       instance/clinic.sqlite3 (set DATABASE_URL for PostgreSQL)"
	@[ -n "$$RATELIMIT_STORAGE_URI" ] && echo "  Rate limits:    shared, in RATELIMIT_STORAGE_URI" || echo "  Rate limits:    in memory: gunicorn refuses 2 processes (set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379, or WEB_CONCURRENCY=1)"
	@echo "  Links in email: $${PUBLIC_BASE_URL:-http://$(HOST):$(PORT) (set PUBLIC_BASE_URL to the public https:// address)}"
	@echo "  Email is sent by its own process: run 'make outbox' beside this one."
	@echo ""
	OUTBOX_WORKER="$${OUTBOX_WORKER:-off}" GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}" \
		PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" \
		$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

outbox: migrate
	$(FLASK) outbox run

# The W3C Nu HTML checker for tests/web/test_valid_html.py (Java 17 and vnu-jar, in .tools/vnu/).
.tools/vnu/version: .ci/ensure-vnu
	.ci/ensure-vnu

test: $(VENV)/.installed-test .tools/vnu/version translations
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff (style and mistakes), mypy (types, zero errors), import-linter (the arrows between packages).
lint: $(VENV)/.installed-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache $(COMPILED_CATALOGUES)

# make bench: every benchmark of issue 11 in one run, printed as one table with its targets
# (bench/suite.py). QUICK=1 stops at 100k requests. Seeded databases are kept for the next run, in
# .bench-cache/ and in the PostgreSQL database clinic_bench; BENCH_ARGS=--reseed seeds them again.
.PHONY: bench
bench: $(VENV)/.installed-test translations
	BENCH_FROM_MAKE=1 $(PY) -m bench.suite $(if $(QUICK),--quick) $(BENCH_ARGS)
