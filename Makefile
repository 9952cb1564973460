# The two commands a user needs: `make demo` and `make test`. Everything else is set up from here.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint typecheck generated unit integration e2e testbed-up testbed-down testbed-status \
        bench-testbed bench-kafka bench-vault bench-consul clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) and installing onex-infra-operator with its dev tools"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $(STAMP)

demo: venv
	$(BIN)/onex-infra demo

lint: venv
	$(BIN)/ruff check operator tests benchmarks
	$(BIN)/ruff format --check operator tests benchmarks

typecheck: venv
	$(BIN)/mypy

# CRDs and models are generated from contracts/; fail when the committed files are stale.
generated: venv
	$(BIN)/onex-infra contracts generate --check
	$(BIN)/onex-infra contracts validate

unit: venv
	$(BIN)/pytest -m unit

integration: venv
	$(BIN)/pytest -m integration

e2e: venv
	$(BIN)/pytest -m e2e

# The whole suite: static checks first (fast), then the test-bed, then every test against it.
test: venv lint typecheck generated
	$(BIN)/onex-infra testbed up
	$(BIN)/pytest

testbed-up: venv
	$(BIN)/onex-infra testbed up

testbed-down: venv
	$(BIN)/onex-infra testbed down

testbed-status: venv
	$(BIN)/onex-infra testbed status

bench-testbed: venv
	$(BIN)/python benchmarks/bench_testbed.py

bench-kafka: venv
	$(BIN)/python benchmarks/bench_kafka.py

bench-vault: venv
	$(BIN)/python benchmarks/bench_vault.py

bench-consul: venv
	$(BIN)/python benchmarks/bench_consul.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
