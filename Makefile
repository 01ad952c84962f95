# awx-platform developer commands. STACK selects Pulumi.<STACK>.yaml (default: local).
STACK ?= local
VENV := .venv
PYTHON := $(VENV)/bin/python
PULUMI ?= pulumi

.PHONY: install test lint docs render preview up destroy bench check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

test: install
	$(PYTHON) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PYTHON) scripts/config_reference.py --check

check: lint test

docs: install
	$(PYTHON) scripts/config_reference.py

# The main job without a cluster or CLI: run the program under mocks and write the manifests.
render: install
	$(PYTHON) scripts/render_mocks.py --stack $(STACK)

bench: install
	$(PYTHON) bench/program_eval.py

preview up destroy: install
	@command -v $(PULUMI) >/dev/null || { \
	  echo "The pulumi CLI is not on PATH. Install it, or use 'make render' (no CLI needed)."; exit 1; }
	$(PULUMI) $(if $(filter up destroy,$@),$@ --yes,$@) --stack $(STACK)

clean:
	rm -rf rendered .pytest_cache .mypy_cache .ruff_cache
