# Everything a fresh machine needs: `make synth` and `make test` set up .venv and node_modules
# themselves; stamps keep a second run quick.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

# Synth must never reach AWS or the network: no credentials, no IMDS, no notices, no telemetry.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true
export AWS_EC2_METADATA_DISABLED := true
OFFLINE := env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE

.PHONY: setup synth test lint typecheck unit bench clean

setup: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: requirements.txt requirements-dev.txt pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

synth: setup
	$(OFFLINE) PATH="$(CURDIR)/$(BIN):$$PATH" node_modules/.bin/cdk synth --no-notices --quiet
	@echo "Synthesized: $$(ls cdk.out/*.template.json | tr '\n' ' ')"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy --strict sccos_pipeline

unit: setup
	$(OFFLINE) $(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

bench: setup
	$(OFFLINE) $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules $(STAMPS) cdk.out
