# The commands people type. Every target bootstraps uv (from PyPI, into .tools/) when it is
# missing and syncs the workspace itself, so a fresh clone needs only Python >= 3.11 and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION ?= 0.13.9
TOOLS := .tools
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/$(TOOLS)/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= $(PYTHON)
export TOPGUN_STRICT_PLUGINS ?= 1
SYNC := $(UV) sync --locked --all-packages --group dev
RUN := $(UV) run --locked --all-packages --group dev --no-sync

.PHONY: help sync demo test pytest lint typecheck bench docs dist clean

help:
	@echo "make demo       run a sample bot against the embedded local exchange simulator"
	@echo "make test       lint + typecheck + every package's tests"
	@echo "make lint       ruff"
	@echo "make typecheck  mypy --strict"
	@echo "make bench      benchmarks, with ratios against pybotters and the JSON-parse floor"
	@echo "make docs       build the Sphinx site into docs/_build"
	@echo "make dist       wheels and sdists of every distribution into dist/ (reproducible)"

$(CURDIR)/$(TOOLS)/bin/uv:
	@echo "uv not found: installing uv $(UV_VERSION) from PyPI into $(TOOLS)/"
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

sync: $(UV)
	$(SYNC)

# The demo runs in a throwaway environment holding only what it needs (the `demo` dependency group:
# core with its TLS test servers, and bitFlyer), installed quietly; .venv is left as it is, so
# `make test` and `make demo` work in either order.
demo: $(UV)
	@$(UV) run --locked --isolated --only-group demo --quiet python -m demo

pytest: sync
	$(RUN) pytest

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: sync
	$(RUN) mypy

test: lint typecheck pytest

bench: $(UV)
	$(UV) sync --locked --all-packages --group dev --group bench
	$(UV) run --locked --all-packages --group dev --group bench --no-sync python -m benchmarks

docs: $(UV)
	$(UV) sync --locked --all-packages --group dev --group docs
	$(UV) run --locked --all-packages --group dev --group docs --no-sync sphinx-build -W -b html docs docs/_build/html

# Reproducible: every timestamp inside the archives is the last commit's and the build backend's
# version is pinned (build-constraint-dependencies in pyproject.toml), so one commit always gives
# byte-identical files. DIST=... builds elsewhere (tests/test_dist.py does).
DIST ?= dist
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
dist: $(UV)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(UV) build --all-packages --clear --no-create-gitignore --out-dir $(DIST)

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache docs/_build dist
