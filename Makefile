# Everything a fresh machine needs: `make synth` and `make test` set up .venv and node_modules
# themselves; stamps keep a second run quick.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

# Node.js is the one package.json pins (the npm package `node`, a supported LTS): first on PATH
# for the CDK CLI, for jsii (which aws_cdk starts as `node` from PATH) and for the rehearsal.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

# Synth must never reach AWS or the network: no credentials, no IMDS, no notices, no telemetry.
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true
export AWS_EC2_METADATA_DISABLED := true
OFFLINE := env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE

.PHONY: setup tools synth test lint typecheck unit scenarios rehearse bench clean

setup: tools $(STAMPS)/rabbitmq

# What every target needs: Python and Node.js. Only the rehearsal targets need RabbitMQ too, so
# lint, typecheck, unit and synth never run apt-get.
tools: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: requirements.txt requirements-dev.txt pyproject.toml
	@mkdir -p $(STAMPS)
	@if [ ! -x $(BIN)/python ]; then echo "Set-up: creating the Python virtual environment $(VENV)"; \
	  $(PYTHON) -m venv $(VENV); fi
	@echo "Set-up: installing Python packages of requirements-dev.txt into $(VENV) (a few minutes the first time)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@echo "Set-up: installing sccos_pipeline itself into $(VENV) (editable)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	@echo "Set-up: installing npm packages of package-lock.json into node_modules (Node.js, the CDK CLI, the IAM simulator)"
	@npm ci --no-audit --no-fund --loglevel=error
	@echo "Set-up: Node.js $$(node_modules/.bin/node --version) from node_modules/.bin"
	@touch $@

# The rehearsal runs a real RabbitMQ (Debian's). Its postinst may start a system instance on the
# default ports: stop it and its epmd, since the rehearsal starts its own on free ports.
$(STAMPS)/rabbitmq:
	@mkdir -p $(STAMPS)
	@echo "Set-up: checking for RabbitMQ (the rehearsal runs a real one)"
	@if command -v rabbitmq-server >/dev/null || test -x /usr/sbin/rabbitmq-server; then \
	  echo "RabbitMQ: rabbitmq-server is installed"; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "RabbitMQ is missing: as root, run 'apt-get install --no-install-recommends rabbitmq-server', then make again" >&2; \
	  exit 1; \
	else \
	  echo "RabbitMQ: installing Debian's rabbitmq-server (apt-get, about a minute)"; \
	  apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server >/dev/null && \
	  { service rabbitmq-server stop >/dev/null 2>&1 || true; } && \
	  { epmd -kill >/dev/null 2>&1 || true; }; \
	fi
	@touch $@

synth: tools
	$(OFFLINE) node_modules/.bin/cdk synth --no-notices --quiet
	@echo "Synthesized: $$(ls cdk.out/*.template.json | tr '\n' ' ')"

lint: tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: tools
	$(BIN)/mypy --strict sccos_pipeline tests

unit: tools
	$(OFFLINE) $(BIN)/python -m pytest -n 2 -q -m "not scenario"

# Rehearsal scenarios run whole pipelines (moto, RabbitMQ, the AWS CLI): their own target.
scenarios: setup
	$(OFFLINE) $(BIN)/python -m pytest -n 2 -q -m scenario tests/rehearsal

# The bundled example rehearsed through the command, each built-in scenario with the exit
# code it must end with (a lost push fails the deployment, a version never built is refused).
REHEARSALS := first-deployment:0 redeploy:0 destructive:0 failing-install:0 lost-push:1 together:0 \
  desired-version:0 override:0 rollback:0 missing-image:1 build:0 latest:0
rehearse: synth $(STAMPS)/rabbitmq
	@for each in $(REHEARSALS); do \
	  name=$${each%%:*}; want=$${each##*:}; \
	  $(OFFLINE) $(BIN)/sccos-pipeline rehearse cdk.out --stack sccos-spryker-demo-staging \
	    --scenario $$name > cdk.out/rehearsal-$$name.txt; got=$$?; \
	  grep -E '^[^ ].*: (Succeeded|Failed)$$' cdk.out/rehearsal-$$name.txt; \
	  if [ $$got -ne $$want ]; then echo "rehearsal $$name: exit $$got, expected $$want" >&2; \
	    cat cdk.out/rehearsal-$$name.txt; exit 1; fi; \
	  echo "rehearsal $$name: exit $$got as expected (report: cdk.out/rehearsal-$$name.txt)"; \
	done

test: lint typecheck unit

bench: setup
	$(OFFLINE) $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules $(STAMPS) cdk.out
