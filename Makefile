# One place for the guardrails. `make demo` = the main job; `make test` = the test suite.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus
export BUDGETLENS_HOME ?= $(CURDIR)/.budgetlens

.PHONY: setup system-deps demo test lint typecheck check

system-deps:  ## Debian packages: the CJK font (PDF rendering), chromium (browser test), PostgreSQL (store test)
	@if ! fc-list 2>/dev/null | grep -qi microhei || ! command -v chromium >/dev/null \
	    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei chromium postgresql) \
	  || echo "warning: could not install Debian packages; PDF/browser tests will skip"; fi

$(PY):
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: system-deps $(PY)  ## install everything (idempotent)
	$(BIN)/pip install -q -e '.[dev]'

demo: setup  ## ingest the corpus and open the app on the embedded defaults
	$(BIN)/budgetlens ingest $(CORPUS)
	$(BIN)/budgetlens serve

test: setup
	$(BIN)/python -m pytest -n 2 -q

lint:
	$(BIN)/ruff check schemas extractor qa_app eval tests

typecheck:
	$(BIN)/mypy

check: lint typecheck test
