# tornado-boilerplate: every command a developer or CI needs; `make help` lists them.
# Two virtual environments: $(VENV) holds only what the server runs (requirements.txt), $(DEV_VENV) the server's
# dependencies plus the test and development tools (requirements-dev.txt). Both are (re)installed when missing or
# when their lock file changed, so `make run` and `make test` work on a fresh clone. `make bench` alone adds a
# third, $(BENCH_VENV): the development tools plus the bench's peers (tests/benchmarks/requirements.txt).
PYTHON ?= python3
VENV ?= .venv
# A venv given on the command line (`make test VENV=/path`) serves for both, as one shared development venv.
DEV_VENV ?= $(if $(filter command line,$(origin VENV)),$(VENV),.venv-dev)
KEYS_DIR ?= keys
PY := $(VENV)/bin/python
DEV_PY := $(DEV_VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(DEV_VENV)/.installed-requirements-dev
# `make bench` only: the development tools plus the bench's peers (FastAPI, uvicorn, aiosqlite), never in the others.
BENCH_VENV ?= .venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_REQUIREMENTS := tests/benchmarks/requirements
BENCH_STAMP := $(BENCH_VENV)/.installed-requirements-bench
# Exact versions with hashes, nothing resolved at install time: the lock files are complete.
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes

# System packages `make test` needs (etcd: lock tests; chromium: the page; docker-compose: config check; openssl:
# TLS tests; curl: the docs' sessions; wrk: `make bench`, and the test of `make profile`), and those of the
# optional targets (valgrind: `make bench-cpu INSTRUCTIONS=1`).
TEST_APT_PACKAGES := etcd-server chromium chromium-driver docker-compose openssl curl wrk
# `make docker-test`: a private Docker engine, and debootstrap for the locally made base images.
DOCKER_APT_PACKAGES := docker.io debootstrap
ALL_APT_PACKAGES := python3 python3-venv $(TEST_APT_PACKAGES) $(DOCKER_APT_PACKAGES) valgrind
# axe-core (npm) for the browser tests' accessibility checks, pinned by the lock file beside those tests.
BROWSER_TESTS := tests/integration/browser
BROWSER_DEPS := $(BROWSER_TESTS)/node_modules/.installed

# Test selections. Suites with their own target (docker, cluster, contract, browser) stay out of `make test`;
# `make test-fast` also leaves out the tests that wait out real timeouts (slow).
TEST_SELECTION := not docker and not cluster and not contract and not browser
FAST_SELECTION := not slow and $(TEST_SELECTION)
MARKERS ?= $(TEST_SELECTION)
# `make test` runs the suite in TEST_WORKERS processes (pytest-xdist; auto: one per core, 0: in this process), one
# test file per worker at a time, so a module's fixtures (its server, its etcd) are started once, as in a serial run.
TEST_WORKERS ?= auto
PARALLEL := -n $(TEST_WORKERS) --dist loadfile

.DEFAULT_GOAL := help
.PHONY: help docs run soak test test-fast test-tornado test-asyncio test-loaded test-browser test-contract fuzz-contract test-cluster docker-test lint typecheck pytest coverage lock prepare install-requirements \
	system-packages browser-deps certs clean bench bench-cpu bench-startup profile bench-logging etcd bench-locks

help:  ## This list
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# ---- environments -------------------------------------------------------------------------------------------

# One line naming the package when this Python cannot make a venv (Debian/Ubuntu ship venv without ensurepip).
define check_python
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+ (apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make: $(PYTHON) is $$($(PYTHON) -V 2>&1); the server needs Python 3.11+ (PYTHON=python3.11 make ...)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "make: $(PYTHON) cannot create virtual environments: install the python3-venv package (apt-get install python3-venv)"; exit 1; }
endef

# setuptools (installed for pbr) adds distutils-precedence.pth, a hook every start of the interpreter imports and
# every later import passes through (~4M instructions of a start-up); the venvs that run the server never build
# packages, so they go without it (Python 3.11's own distutils stays importable).
define drop_distutils_hook
	@rm -f $(1)/lib/python3*/site-packages/distutils-precedence.pth
endef

$(RUNTIME_STAMP): requirements.txt
	$(check_python)
	@echo "==> installing the server's dependencies into $(VENV) (requirements.txt)"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) $(PIP_INSTALL) -r requirements.txt
	$(call drop_distutils_hook,$(VENV))
	@touch $@

# uv (itself pinned in the lock, installed by pip first) installs the ~60 packages in seconds where pip takes
# minutes. `install`, not `sync`: a shared venv given as DEV_VENV keeps what else it holds. Unlike pip, uv leaves
# the bytecode uncompiled unless told, and with PYTHONDONTWRITEBYTECODE set every server the tests or the bench
# start would compile tornado and the rest again (about 100 ms of each start: 248 -> 149 ms to the first 200).
UV_INSTALL := pip install --quiet --no-deps --require-hashes --compile-bytecode
$(DEV_STAMP): requirements.txt requirements-dev.txt
	$(check_python)
	@echo "==> installing the test and development tools into $(DEV_VENV) (requirements-dev.txt)"
	@$(PYTHON) -m venv $(DEV_VENV)
	@awk '/^uv==/ {found = 1} found {print} found && !/\\$$/ {exit}' requirements-dev.txt > $(DEV_VENV)/uv-requirement.txt
	@$(DEV_PY) $(PIP_INSTALL) -r $(DEV_VENV)/uv-requirement.txt
	@$(DEV_VENV)/bin/uv $(UV_INSTALL) --python $(DEV_PY) -r requirements-dev.txt
	@touch $@

$(BENCH_STAMP): requirements.txt requirements-dev.txt $(BENCH_REQUIREMENTS).txt | $(DEV_STAMP)
	$(check_python)
	@echo "==> installing the development tools and the bench's peers into $(BENCH_VENV) ($(BENCH_REQUIREMENTS).txt)"
	@$(PYTHON) -m venv $(BENCH_VENV)
	@$(DEV_VENV)/bin/uv $(UV_INSTALL) --python $(BENCH_PY) -r requirements-dev.txt -r $(BENCH_REQUIREMENTS).txt
	$(call drop_distutils_hook,$(BENCH_VENV))
	@touch $@

prepare: $(RUNTIME_STAMP) $(DEV_STAMP)  ## Both virtual environments, without running anything

# Installs the missing ones only; apt-get as root, through sudo otherwise, or one line saying what to install.
system-packages:  ## System packages the tests need, when missing (PACKAGES="..." to choose)
	@missing=""; for package in $(or $(PACKAGES),$(TEST_APT_PACKAGES)); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if ! command -v apt-get >/dev/null; then echo "make: missing system packages:$$missing (install them with your package manager)"; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; \
	else echo "make: missing system packages:$$missing; as root run: apt-get install$$missing"; exit 1; fi; \
	echo "==> installing system packages:$$missing"; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

install-requirements:  ## Every system package any target uses (tests, wrk for bench)
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(ALL_APT_PACKAGES)"

docs: $(DEV_STAMP)  ## Regenerate the settings tables of README.md and docs/settings.md from SETTINGS
	@$(DEV_PY) -m tests.support.settings_table

# npm comes with Node.js packages that conflict with Debian's own npm package: that one only when npm is missing.
$(BROWSER_DEPS): $(BROWSER_TESTS)/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory system-packages PACKAGES=npm
	@echo "==> installing axe-core for the browser tests ($(BROWSER_TESTS)/package-lock.json)"
	@npm ci --prefix $(BROWSER_TESTS) --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

browser-deps: $(BROWSER_DEPS)  ## axe-core from npm for the browser tests (make test-browser installs it when missing)

lock:  ## Regenerate requirements.txt, requirements-dev.txt and the bench's (hashes) from the .in files (UPGRADE=1 for newest)
	@[ -x $(DEV_VENV)/bin/uv ] || $(MAKE) --no-print-directory $(DEV_STAMP)
	@echo "==> locking requirements.in -> requirements.txt, requirements-dev.in -> requirements-dev.txt, $(BENCH_REQUIREMENTS).in -> .txt"
	@for name in requirements requirements-dev $(BENCH_REQUIREMENTS); do \
		$(DEV_VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
			--annotation-style line --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) \
			$$name.in -o $$name.txt || exit 1; \
	done

# ---- serving ------------------------------------------------------------------------------------------------

run: $(RUNTIME_STAMP)  ## Serve on http://localhost:5000 with the embedded store (ARGS="--port 8080 ..." for settings)
	@$(PY) server.py $(ARGS)

# A local lock server for `make run ARGS=--lock_server`: etcd with the v2 API python-etcd speaks, on loopback
# only; data in data/etcd (git-ignored). Runs in the foreground: Ctrl-C stops it. (No ETCD_* names here: make
# exports command-line variables, and etcd reads ETCD_* variables as flags.)
LOCK_SERVER_PORT ?= 2379
LOCK_SERVER_PEER_PORT ?= 2380
LOCK_SERVER_DATA ?= data/etcd
etcd:  ## Local etcd for --lock_server on 127.0.0.1:2379, v2 API on (LOCK_SERVER_PORT=2379 LOCK_SERVER_DATA=data/etcd)
	@$(MAKE) --no-print-directory system-packages PACKAGES=etcd-server
	etcd --enable-v2=true --name tornado-boilerplate --data-dir $(LOCK_SERVER_DATA) \
		--listen-client-urls http://127.0.0.1:$(LOCK_SERVER_PORT) --advertise-client-urls http://127.0.0.1:$(LOCK_SERVER_PORT) \
		--listen-peer-urls http://127.0.0.1:$(LOCK_SERVER_PEER_PORT) \
		--initial-advertise-peer-urls http://127.0.0.1:$(LOCK_SERVER_PEER_PORT) \
		--initial-cluster tornado-boilerplate=http://127.0.0.1:$(LOCK_SERVER_PEER_PORT)

certs:  ## Self-signed TLS pair for --ssl in $(KEYS_DIR)/ (never commit real keys)
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
		-keyout $(KEYS_DIR)/server.key -out $(KEYS_DIR)/server.crt -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
	chmod 600 $(KEYS_DIR)/server.key

# ---- checks -------------------------------------------------------------------------------------------------

test: system-packages $(DEV_STAMP)  ## Lint, strict type check, then the suite with coverage on every core (not docker/cluster/contract/browser)
	@echo "==> testing: ruff, mypy, pytest with coverage"
	@$(MAKE) --no-print-directory lint typecheck
	@$(MAKE) --no-print-directory coverage

test-fast: $(DEV_STAMP)  ## The unit tests without the slow ones (no lint, no coverage): the edit-test loop, < 30 s
	@echo "==> testing: the unit tests, without the slow ones"
	@$(DEV_PY) -m pytest -q -p no:cacheprovider -m "$(FAST_SELECTION)" tests/unit $(ARGS)

# Every server the tests start runs Tornado's own HTTP/1 parser instead of the default httptools transport
# (tests/support/http_parsers.py); the conformance tests in tests/integration/http1 run against both transports in
# `make test` already.
test-tornado: $(DEV_STAMP) $(BROWSER_DEPS)  ## `make test`'s suite once more with every test server on --http_parser tornado
	@echo "==> testing: the suite with --http_parser tornado"
	@TB_TEST_HTTP_PARSER=tornado $(DEV_PY) -m pytest -q -p no:cacheprovider $(PARALLEL) -m "$(TEST_SELECTION)" $(ARGS)

# Every server the tests start, and every loop the tests make in process, on asyncio's own event loop instead of
# the default uvloop (tests/support/event_loops.py).
test-asyncio: $(DEV_STAMP) $(BROWSER_DEPS)  ## `make test`'s suite once more on asyncio's own event loop, --loop asyncio
	@echo "==> testing: the suite with --loop asyncio"
	@TB_TEST_LOOP=asyncio $(DEV_PY) -m pytest -q -p no:cacheprovider $(PARALLEL) -m "$(TEST_SELECTION)" $(ARGS)

test-browser: system-packages $(DEV_STAMP) $(BROWSER_DEPS)  ## The page in headless Chromium with axe-core (marker browser), on every core
	@echo "==> testing: the page in Chromium (browser)"
	@$(DEV_PY) -m pytest -m browser -p no:cacheprovider $(PARALLEL) $(ARGS) $(BROWSER_TESTS)

test-contract: $(DEV_STAMP)  ## Schemathesis: every operation of /openapi.json against a live server, seeded, under a minute
	@echo "==> testing: the API against its OpenAPI document (schemathesis)"
	@$(DEV_PY) -m pytest -m contract -p no:cacheprovider $(ARGS) tests/integration/api_contract

SEEDS ?= 20
fuzz-contract: $(DEV_STAMP)  ## Hunt API/document mismatches: schemathesis with SEEDS random seeds, 60 examples, 90 s each
	@echo "==> hunting: the API against its OpenAPI document, $(SEEDS) random seeds (schemathesis)"
	@$(DEV_PY) -m tests.integration.api_contract.fuzz_contract --seeds $(SEEDS) $(ARGS)

# Builds and runs the image and `docker-compose up` with a private dockerd (root: it runs the engine); base images
# are made locally with debootstrap and cached in ~/.cache/tornado-boilerplate.
docker-test: $(DEV_STAMP)  ## The image and the compose deployment run by a real Docker engine (docker.io, debootstrap; root)
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(TEST_APT_PACKAGES) $(DOCKER_APT_PACKAGES)"
	@echo "==> testing: the image and the compose deployment (docker)"
	@$(DEV_PY) -m pytest -m docker -p no:cacheprovider $(ARGS) tests/integration/deployment/test_container_engine.py

test-cluster: system-packages $(DEV_STAMP)  ## Multi-host fault test: 3-member etcd on 127.0.0.2-4, three servers --proc 2, faults, both etcd APIs (~90 s)
	@echo "==> testing: every job slot once under etcd and host faults (cluster)"
	@$(DEV_PY) -m pytest -m cluster -p no:cacheprovider $(ARGS) tests/integration/locks/test_cluster_faults.py

RUNS ?= 5
test-loaded: system-packages $(DEV_STAMP)  ## The suite RUNS=5 times under a CPU hog on every core; per-run results
	@bash tests/support/loaded_runs.sh $(RUNS) $(DEV_PY) -m pytest -q -p no:cacheprovider $(PARALLEL) -m "$(TEST_SELECTION)" $(ARGS)

lint: $(DEV_STAMP)  ## ruff check
	@$(DEV_PY) -m ruff check .

typecheck: $(DEV_STAMP)  ## mypy, strict
	@$(DEV_PY) -m mypy

pytest: $(DEV_STAMP) $(BROWSER_DEPS)  ## pytest with ARGS, no coverage (ARGS="tests/unit -x")
	@$(DEV_PY) -m pytest $(ARGS)

coverage: $(DEV_STAMP)  ## The suite under coverage on every core, a per-file report (MARKERS="not docker and ...", TEST_WORKERS=0, ARGS)
	@rm -f .coverage .coverage.*
	@$(DEV_PY) -m coverage run -m pytest $(PARALLEL) -m "$(MARKERS)" $(ARGS)
	@$(DEV_PY) -m coverage combine -q
	@$(DEV_PY) -m coverage report

# ---- performance (tests/benchmarks/, outside `make test`; results in tests/benchmarks/results/, git-ignored) ---

SUITE ?= main
ROUNDS ?= 5
DURATION ?=
ENDPOINT ?= /ping
METHOD ?= GET
PROFILE_SECONDS ?= 10
SERVER ?= server

bench: $(BENCH_STAMP)  ## This server vs bare Tornado and FastAPI with wrk, close ratios with both loaded at once (SUITE=main|gc|metrics|footprint|loop ROUNDS=5 DURATION=3 SLICES=)
	@$(MAKE) --no-print-directory system-packages PACKAGES=wrk
	$(BENCH_PY) -m tests.benchmarks.bench --suite $(SUITE) --rounds $(ROUNDS) --duration $(or $(DURATION),3) \
		$(if $(SLICES),--slices $(SLICES)) $(ARGS)

bench-cpu: $(DEV_STAMP)  ## CPU us per request in one process, load-independent (ENDPOINT=/ping METHOD=GET SERVER=server|bare|bare-store INSTRUCTIONS=1)
	@$(if $(INSTRUCTIONS),$(MAKE) --no-print-directory system-packages PACKAGES=valgrind)
	$(DEV_PY) -m tests.benchmarks.inprocess_cpu --endpoint '$(ENDPOINT)' --method $(METHOD) --server $(SERVER) \
		$(if $(INSTRUCTIONS),--instructions) $(ARGS)

bench-startup: $(DEV_STAMP)  ## Instructions of a start-up to the first 200 under callgrind, load-independent (ARGS="--servers bare,server --tree DIR")
	@$(MAKE) --no-print-directory system-packages PACKAGES=valgrind
	$(DEV_PY) -m tests.benchmarks.startup_instructions $(ARGS)

profile: $(DEV_STAMP)  ## py-spy flame graph + speedscope under wrk load, any load of make bench (ENDPOINT=/ping METHOD=GET|PUT|POST SERVER=server|bare|bare-store PROFILE_SECONDS=10)
	@$(MAKE) --no-print-directory system-packages PACKAGES=wrk
	$(DEV_PY) -m tests.benchmarks.flame_profile --endpoint '$(ENDPOINT)' --method $(METHOD) --server $(SERVER) \
		--duration $(PROFILE_SECONDS) $(ARGS)

soak: $(DEV_STAMP)  ## The server under mixed good and hostile load: RSS, fds, answers by status (SOAK_SECONDS=300)
	@$(MAKE) --no-print-directory system-packages PACKAGES=wrk
	$(DEV_PY) -m tests.benchmarks.soak --duration $(or $(SOAK_SECONDS),300) $(ARGS)

bench-logging: $(DEV_STAMP)  ## GET /ping with the canonical log line on vs off, alternating rounds (ARGS=--compare-stdlib)
	@$(MAKE) --no-print-directory system-packages PACKAGES=wrk
	$(DEV_PY) -m tests.benchmarks.logging_overhead --rounds $(ROUNDS) --duration $(or $(DURATION),5) $(ARGS)

bench-locks: $(DEV_STAMP)  ## Lock latency p50/p99 through a 3-member etcd cluster (both APIs), recovery after a leader kill (ARGS="--single", "--port 2379")
	@$(MAKE) --no-print-directory system-packages PACKAGES=etcd-server
	$(DEV_PY) -m tests.benchmarks.lock_latency $(ARGS)

clean:  ## Remove the virtual environments and the caches
	rm -rf $(VENV) $(DEV_VENV) $(BENCH_VENV) .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.* htmlcov
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
