# tornado-boilerplate: every command a developer or CI needs. The virtual environment lives in $(VENV).
VENV ?= .venv
PYTHON ?= python3
KEYS_DIR ?= keys
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PACKAGES := python3 python3-venv python3-pip openssl etcd-server wrk chromium chromium-driver docker-compose \
	docker.io debootstrap

.PHONY: install-requirements prepare run test lint typecheck pytest coverage certs clean bench profile bench-logging etcd bench-locks docker-test test-contract

install-requirements:  ## System packages: Python, OpenSSL, etcd (lock server), wrk (bench), Chromium (browser test), docker-compose (config check)
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES)

$(PY):
	$(PYTHON) -m venv $(VENV)

prepare: $(PY)  ## Virtual environment with the runtime and development dependencies
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt

run:  ## Serve on http://localhost:5000 (add ARGS="--port 8080 ..." for settings)
	$(PY) server.py $(ARGS)

# A local lock server for `make run ARGS=--lock_server`: etcd with the v2 API python-etcd speaks, on loopback
# only; data in data/etcd (git-ignored). Runs in the foreground: Ctrl-C stops it. (No ETCD_* names here: make
# exports command-line variables, and etcd reads ETCD_* variables as flags.)
LOCK_SERVER_PORT ?= 2379
LOCK_SERVER_PEER_PORT ?= 2380
LOCK_SERVER_DATA ?= data/etcd
etcd:  ## Local etcd for --lock_server on 127.0.0.1:$(LOCK_SERVER_PORT), v2 API enabled (LOCK_SERVER_DATA=data/etcd)
	etcd --enable-v2=true --name tornado-boilerplate --data-dir $(LOCK_SERVER_DATA) \
		--listen-client-urls http://127.0.0.1:$(LOCK_SERVER_PORT) --advertise-client-urls http://127.0.0.1:$(LOCK_SERVER_PORT) \
		--listen-peer-urls http://127.0.0.1:$(LOCK_SERVER_PEER_PORT) \
		--initial-advertise-peer-urls http://127.0.0.1:$(LOCK_SERVER_PEER_PORT) \
		--initial-cluster tornado-boilerplate=http://127.0.0.1:$(LOCK_SERVER_PEER_PORT)

lint:
	$(PY) -m ruff check .

typecheck:
	$(PY) -m mypy

pytest:
	$(PY) -m pytest $(ARGS)

coverage:  ## The test suite under coverage, with a per-file report
	rm -f .coverage .coverage.*
	$(PY) -m coverage run -m pytest -m "not docker and not contract" $(ARGS)
	$(PY) -m coverage combine -q
	$(PY) -m coverage report

test: lint typecheck coverage  ## Lint, type check, then every unit and integration test with coverage (not docker)

test-contract:  ## Schemathesis: every operation of /openapi.json against a live server, seeded, under a minute
	$(PY) -m pytest -m contract -p no:cacheprovider $(ARGS) tests/integration/api_contract

# Builds and runs the image and `docker-compose up` with a private dockerd (root: it runs the engine); base images
# are made locally with debootstrap and cached in ~/.cache/tornado-boilerplate.
docker-test:  ## The image and the compose deployment run by a real Docker engine (docker.io, debootstrap; root)
	$(PY) -m pytest -m docker -p no:cacheprovider $(ARGS) tests/integration/deployment/test_container_engine.py

# Performance (tests/benchmarks/, outside `make test`). Results go to tests/benchmarks/results/ (git-ignored).
SUITE ?= main
ROUNDS ?= 5
DURATION ?= 5
ENDPOINT ?= /ping
METHOD ?= GET
PROFILE_SECONDS ?= 10

bench:  ## This server vs bare Tornado with wrk, interleaved rounds (SUITE=main|gc ROUNDS=5 DURATION=5)
	$(PY) -m tests.benchmarks.bench --suite $(SUITE) --rounds $(ROUNDS) --duration $(DURATION) $(ARGS)

profile:  ## py-spy flame graph + speedscope under wrk load (ENDPOINT=/ping METHOD=GET PROFILE_SECONDS=10)
	$(PY) -m tests.benchmarks.flame_profile --endpoint '$(ENDPOINT)' --method $(METHOD) --duration $(PROFILE_SECONDS) $(ARGS)

bench-logging:  ## GET /ping with the canonical log line on vs off, alternating rounds; prints the ratio (ARGS=--compare-stdlib)
	$(PY) -m tests.benchmarks.logging_overhead --rounds $(ROUNDS) --duration $(DURATION) $(ARGS)

bench-locks:  ## LockManager acquire/release/hand-over latency p50/p99 against a real etcd (ARGS="--port 2379" to reuse one)
	$(PY) -m tests.benchmarks.lock_latency $(ARGS)

certs:  ## Self-signed TLS pair for --ssl in $(KEYS_DIR)/ (never commit real keys)
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
		-keyout $(KEYS_DIR)/server.key -out $(KEYS_DIR)/server.crt -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
	chmod 600 $(KEYS_DIR)/server.key

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.* htmlcov
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
