# awx-platform developer commands. STACK selects Pulumi.<STACK>.yaml (default: local).
STACK ?= local
VENV := .venv
PYTHON := $(VENV)/bin/python

# The engine runs offline: CLI and plugins from .tools/ (make toolchain), state in a
# local file backend, no update checks, no plugin downloads.
# PULUMI_TOOLCHAIN=system (CI with the official CLI from pulumi/actions) uses the `pulumi` on
# PATH and its usual plugin downloads instead.
TOOLS := $(CURDIR)/.tools
PULUMI_TOOLCHAIN ?= built
ifeq ($(PULUMI_TOOLCHAIN),built)
export PATH := $(TOOLS)/bin:$(PATH)
export PULUMI_HOME := $(TOOLS)/pulumi-home
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
PULUMI_CLI := $(TOOLS)/bin/pulumi
CLI_TARGET := toolchain
else
PULUMI_CLI := pulumi
CLI_TARGET := install
endif
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.pulumi-state
export PULUMI_SKIP_UPDATE_CHECK := true
# The language host we can build does not read runtime.options.virtualenv from the engine.
export PULUMI_PYTHON_CMD := $(CURDIR)/$(VENV)/bin/python
# Only the local stack has a documented passphrase; every other stack needs it from the
# environment (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE).
ifeq ($(STACK),local)
export PULUMI_CONFIG_PASSPHRASE ?= awx-platform-local
endif
PULUMI := $(PULUMI_CLI) --non-interactive

NPM_TOOLS := $(TOOLS)/npm
NPM_PINS := scripts/npm-tools/package.json scripts/npm-tools/package-lock.json

.PHONY: npm-tools install toolchain cluster cluster-down cluster-status test lint docs render stack preview up deploy destroy refresh policy bench check clean distclean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

toolchain: install
	$(PYTHON) -m scripts.toolchain >&2

# The embedded default: a real control plane on 127.0.0.1 (docs/cluster.md). A second
# `make cluster` reuses the running one; `make cluster-down` stops it by PID.
cluster: toolchain
	$(PYTHON) -m scripts.cluster start >&2

cluster-down:
	$(PYTHON) -m scripts.cluster stop

cluster-status:
	$(PYTHON) -m scripts.cluster status

test: install toolchain npm-tools
	$(PYTHON) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PYTHON) scripts/reference_docs.py --check

check: lint test

# Node tools the tests start (Azurite, the Azure Blob emulator), from the npm registry into
# .tools/npm (gitignored, shared by worktrees), every transitive version pinned by our
# lockfile (`npm ci`): a floating dependency cannot break a fresh machine. Skipped once
# installed, until the pins change (a stamp: npm gives unpacked files their 1985 mtime).
npm-tools: $(NPM_TOOLS)/.installed

$(NPM_TOOLS)/.installed: $(NPM_PINS)
	mkdir -p $(NPM_TOOLS)
	cp $(NPM_PINS) $(NPM_TOOLS)/
	npm ci --no-audit --no-fund --prefix $(NPM_TOOLS)
	touch $@

docs: install
	$(PYTHON) scripts/reference_docs.py

# The main job without a cluster or CLI: run the program under mocks and write the manifests.
render: install
	$(PYTHON) scripts/render_mocks.py --stack $(STACK)

bench: install toolchain
	$(PYTHON) bench/program_eval.py
	$(PYTHON) bench/engine.py
	$(PYTHON) bench/forks.py
	$(PYTHON) bench/exporter.py
	$(PYTHON) bench/backup.py
	$(PYTHON) bench/rightsize.py

stack: $(CLI_TARGET)
	@test -n "$$PULUMI_CONFIG_PASSPHRASE$$PULUMI_CONFIG_PASSPHRASE_FILE" || { \
	  echo "Set PULUMI_CONFIG_PASSPHRASE (or _FILE) for stack $(STACK)."; exit 1; }
	@mkdir -p .pulumi-state
	$(PULUMI) stack select --create $(STACK) >&2

preview: stack
	$(PULUMI) preview --stack $(STACK)

# The local stack deploys to the local cluster, started here when it is not running.
ifeq ($(STACK),local)
stack: cluster
endif

up destroy: stack
	$(PULUMI) $@ --yes $(PULUMI_UP_FLAGS) --stack $(STACK)

# Guarded deploy (docs/deploy.md): up, health gates for deploy.health.window, the commit
# recorded as last good; on failure a rollback to the last good commit. With `make -s`, stdout
# is the JSON summary alone (toolchain, cluster and stack selection log to stderr).
deploy: stack
	$(PYTHON) -m deploy --stack $(STACK)

refresh: stack
	$(PULUMI) refresh --yes --expect-no-changes --stack $(STACK)

# Policy pack over the stack's current state (run from the pack's directory: docs/policies-howto.md).
policy: stack
	cd policies && $(PULUMI) policy analyze --stack organization/awx-platform/$(STACK) --policy-pack .

clean:
	rm -rf rendered .pytest_cache .mypy_cache .ruff_cache

# Also forgets local engine state and the built toolchain.
distclean: clean
	rm -rf .pulumi-state .tools

# The awx-runtime image (docs/runtime.md): built without a daemon from Debian packages and the
# wheel of the `runtime` extra into dist/awx-runtime-<version>.oci.tar (+ .digest, SBOM),
# then run with podman/crun by tests/image. Needs root (mmdebstrap, podman).
POSTGRES_MAJOR ?= 15
DEBIAN_SUITE ?= bookworm
IMAGE_ENV := POSTGRES_MAJOR=$(POSTGRES_MAJOR) DEBIAN_SUITE=$(DEBIAN_SUITE)

.PHONY: image-deps image image-test

image-deps:
	bash scripts/image-deps.sh

image: install image-deps
	$(IMAGE_ENV) $(PYTHON) -m scripts.image.build
	$(IMAGE_ENV) $(PYTHON) -m scripts.image.sbom

image-test: image
	$(IMAGE_ENV) $(PYTHON) -m pytest -m image tests/image
