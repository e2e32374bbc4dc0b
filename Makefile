# The two commands a person needs are `make run` and `make test`; the rest support them.

VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
# Readable log lines in a terminal; the service logs JSON lines elsewhere.
run: export IIP_LOG_FORMAT ?= console

# Every Python package, dev tools included, at the version tested, each checked by its hash.
# pip itself comes first, from its own entry: the rest installs twice as fast with it.
LOCK := requirements.lock

.PHONY: run test lint lock bench gallery manifest clean

$(BIN)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	awk '/^[^ #]/ {keep = /^pip==/} keep' $(LOCK) | $(BIN)/pip install --quiet --require-hashes -r /dev/stdin
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-fund --no-audit
	touch $@

## run: the bot on 127.0.0.1:3978 and the Teams Playground on http://localhost:56150
run: $(BIN)/.installed node_modules/.installed
	$(BIN)/iip db upgrade
	$(BIN)/iip org load bot/demo/organisation.toml
	$(BIN)/iip dev

## test: lint, import-layer contracts, types, then the whole test suite (end-to-end included),
## one worker a core (each worker makes its own databases and listens on its own ports)
test: $(BIN)/.installed node_modules/.installed lint
	$(BIN)/pytest -n auto --dist worksteal

lint: $(BIN)/.installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	node_modules/.bin/pyright

## lock: requirements.lock again from pyproject.toml, for Python 3.11 on Linux x86_64; it keeps
## the pins that still fit (make lock UPGRADE=1: the newest versions allowed). torch's CPU build
## is not on PyPI: TORCH_WHEELS names where it is (PyTorch's CPU index, or a folder of wheels)
TORCH_WHEELS ?= https://download.pytorch.org/whl/cpu/torch/
lock:
	@test -x $(BIN)/uv || $(MAKE) $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra model --generate-hashes --quiet \
		--find-links $(TORCH_WHEELS) \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--custom-compile-command "make lock" --output-file $(LOCK) $(if $(UPGRADE),--upgrade)

## bench: the benchmarks under tests/bench (not part of the test suite; about 90 minutes)
bench: $(BIN)/.installed
	$(BIN)/python tests/bench/turns.py --load both --database both
	$(BIN)/python tests/bench/turns.py --load submission --think 0.5 --database both
	$(BIN)/python tests/bench/decisions.py --database both
	$(BIN)/python tests/bench/outbox.py
	$(BIN)/python tests/bench/broadcast.py --database both
	$(BIN)/python tests/bench/claims.py
	$(BIN)/python tests/bench/jobs.py --database both
	$(BIN)/python tests/bench/campaign_send.py
	$(BIN)/python tests/bench/campaign_schedule.py
	$(BIN)/python tests/bench/sharepoint_import.py
	$(BIN)/python tests/bench/reports.py
	$(BIN)/python tests/bench/similar.py --database both
	$(BIN)/python tests/bench/match_pass.py
	$(BIN)/python tests/bench/initiatives_import.py
	$(BIN)/python tests/bench/erasure.py
	$(BIN)/python tests/bench/metrics_scrape.py
	$(BIN)/python tests/bench/outbox_retention.py
	$(BIN)/python tests/bench/soak.py

gallery: $(BIN)/.installed
	$(BIN)/iip cards gallery build/cards

## manifest: the Teams app package in build/ (make manifest APP_ID=<guid> [BOT_ID=<guid>] [VERSION=1.0.0])
manifest: $(BIN)/.installed
	$(BIN)/iip manifest build build/iip-teams-app.zip --app-id "$(APP_ID)" \
		$(if $(BOT_ID),--bot-id "$(BOT_ID)") $(if $(VERSION),--version "$(VERSION)")

clean:
	rm -rf $(VENV) node_modules build var test-artefacts devTools
