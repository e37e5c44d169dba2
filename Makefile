# Two commands set up a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-scaleout lint migrate clean

# Two test processes, one a core of the 2-core machines this runs on; `make test PYTEST_ARGS=` runs
# them in one process, and any pytest option goes there too.
PYTEST_ARGS ?= -n 2

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "BlogTube needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changed.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input

run: migrate
	@echo "BlogTube: http://$${BLOGTUBE_HOST:-127.0.0.1}:$${BLOGTUBE_PORT:-8000}  (Ctrl-C stops web and worker)"
	@# No account yet: a one-time link to create the first one.
	@$(BIN)/python manage.py setup_link
	@# honcho in the terminal's foreground: Ctrl-C stops web and worker, and make exits 0.
	$(BIN)/python -m blogtube_site.foreground $(BIN)/honcho start

test: $(VENV)/.installed $(VENV)/.installed-test
	$(BIN)/ruff check .
	@# -rs: the summary names every skipped test and why (speech without espeak-ng, scale-out
	@# without PostgreSQL...), whatever PYTEST_ARGS says.
	$(BIN)/python -m pytest -rs $(PYTEST_ARGS)

# The same suite on the scale-out configuration: PostgreSQL and Redis, both on 127.0.0.1 unless
# set here (`.ci/run` starts them). A run id of its own names the test databases
# (test_blogtube_<id>_gw0, ...) and prefixes every Redis key, so runs side by side never meet.
SCALEOUT_POSTGRES ?= postgres://postgres@127.0.0.1:5432
SCALEOUT_REDIS ?= redis://127.0.0.1:6379/0

test-scaleout: $(VENV)/.installed $(VENV)/.installed-test
	@run=$$(od -An -N4 -tx4 /dev/urandom | tr -d ' '); \
	echo "Scale-out run $$run: PostgreSQL $(SCALEOUT_POSTGRES), Redis $(SCALEOUT_REDIS)"; \
	status=0; DATABASE_URL=$(SCALEOUT_POSTGRES)/blogtube_$$run REDIS_URL=$(SCALEOUT_REDIS) \
		REDIS_KEY_PREFIX=blogtube-test-$$run $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	for db in $$(psql "$(SCALEOUT_POSTGRES)/postgres" -Atc \
			"SELECT datname FROM pg_database WHERE datname LIKE 'test_blogtube_$$run%'"); do \
		echo "Dropping $$db, left by a process still connected at the end"; \
		psql "$(SCALEOUT_POSTGRES)/postgres" -qc "DROP DATABASE \"$$db\" WITH (FORCE)"; \
	done; exit $$status

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
