# Two commands set up a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint migrate clean

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

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
