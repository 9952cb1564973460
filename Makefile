# The two commands a user needs: `make demo` and `make test`. Everything else is set up from here.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint typecheck generated unit integration e2e testbed-up testbed-down testbed-status \
        bench-testbed bench-kafka bench-vault bench-consul clean image kind-e2e

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

# -- For users with a container engine. Neither target runs on the machines this project is built on
# (no Docker, no kubelet); tests/unit/test_dockerfile.py replays the Dockerfile's install steps instead.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
IMAGE ?= onex-infra-operator:$(VERSION)
DOCKER ?= docker
KIND ?= kind
HELM ?= helm
KIND_CLUSTER := onex-infra
KIND_KUBECONFIG := $(VENV)/kind-kubeconfig

image:
	$(DOCKER) build -t $(IMAGE) .

# NOT RUN HERE (no container engine, never tried): a kind cluster, the image loaded into it, the
# chart installed with that image and waited for (the pod Ready means kopf watches, with the chart's
# RBAC and securityContext). It does not run the e2e suite: its fixtures take the kubeconfig from the
# local test-bed and start their own operator, and the test-bed's services are not reachable from kind.
kind-e2e: image
	$(KIND) get clusters | grep -qx $(KIND_CLUSTER) || $(KIND) create cluster --config kind-config.yaml
	$(KIND) get kubeconfig --name $(KIND_CLUSTER) > $(KIND_KUBECONFIG)
	$(KIND) load docker-image $(IMAGE) --name $(KIND_CLUSTER)
	KUBECONFIG=$(KIND_KUBECONFIG) $(HELM) upgrade --install onex charts/onex-infra-operator \
	  -n onex-system --create-namespace --wait --timeout 5m \
	  --set image.repository=onex-infra-operator --set image.tag=$(VERSION) --set image.pullPolicy=Never
	KUBECONFIG=$(KIND_KUBECONFIG) kubectl -n onex-system get pods -o wide
