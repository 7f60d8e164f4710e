# Two commands: `make demo` runs a backfill offline, `make test` runs the tests.
# Both set up a virtualenv in .venv first; nothing but Python 3.10+ and make is needed.
# The tests run in two processes (pytest-xdist), a file each at a time: most of their time
# is spent waiting on the subprocesses and servers they start.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/.installed: setup.cfg setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m pipeline.app.demo

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile

bench: $(BIN)/.installed
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) lake demo-lake
