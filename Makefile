# Two commands for a fresh machine: `make demo` (the main job) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck install neo4j clean wheel-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/regtrace demo

# The Neo4j servers' class-data archive (tools/neo4j_server.py class-data: one server start and stop, skipped once
# made) is made beside the linters, on the core they leave free, so that every server of the run maps it.
test: $(STAMP)
	$(BIN)/python tools/neo4j_server.py class-data > $(VENV)/class-data.log 2>&1 & made=$$!; \
	  $(BIN)/ruff check . && $(MAKE) --no-print-directory typecheck; linted=$$?; \
	  wait $$made || cat $(VENV)/class-data.log; exit $$linted
	$(BIN)/python -m pytest -n 2 --dist loadgroup

typecheck: $(STAMP)
	$(BIN)/python tools/typing_tree.py
	$(BIN)/mypy

# The wheel in a fresh virtual environment without dev extras, run from outside the repository (CI runs it).
wheel-check:
	PYTHON=$(PYTHON) tools/wheel_check.sh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .typing .pytest_cache .mypy_cache .ruff_cache *.egg-info
