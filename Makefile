# make run    build the help site, serve it and the claim service on http://127.0.0.1:$(PORT)
# make preview  serve the help site alone on http://127.0.0.1:$(PORT), reloading as editors save
# make test   lint, types, strict site builds with both builders, then the whole test suite
# make check  the fast loop while working: lint, types, the service's tests on SQLite
# make fuzz   the fuzz tests with ten times as many examples, from a new random seed
# make bench  every benchmark against a baseline measured in the same run (not part of test;
#             CLAIMS_TEST_DATABASE_URL adds PostgreSQL figures)
#
# Both set up .venv (and, for tests, the browser tools) only when their inputs changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Material's banner about MkDocs' end of life means nothing to editors: keep it out of the output.
export NO_MKDOCS_2_WARNING := 1

.PHONY: run preview test check lint fuzz site browser postgres dovecot bench

# The secret key is made once and kept in instance/, so sign-ins survive restarts.
run: $(VENV)/.runtime site instance/secret_key
	CLAIMS_SECRET_KEY="$$(cat instance/secret_key)" CLAIMS_HELP_SITE_DIR=site \
	  $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 wsgi:app

# MkDocs' own server: it rebuilds and reloads the open page on every save (the post-build step
# runs in its hook, so customers' words and claim links are as in `make run`).
preview: $(VENV)/.runtime
	$(BIN)/python -m mkdocs serve --livereload --dev-addr 127.0.0.1:$(PORT)

# The site is built with Zensical, then with MkDocs + Material (left in site/: what `make run`
# serves), each finished by the post-build step; the tests then check both builders' output.
test: lint $(VENV)/.dev node_modules/.installed browser dovecot
	$(BIN)/python -m zensical build --strict --clean --config-file mkdocs.yml
	$(BIN)/python -m help_site site
	$(BIN)/python -m mkdocs build --strict --quiet
	$(BIN)/python -m help_site site
	$(BIN)/pytest

check: lint
	CLAIMS_TEST_DATABASE_URL= $(BIN)/pytest tests/claims --quiet

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fuzz: $(VENV)/.dev
	$(BIN)/pytest tests/reliability/test_fuzz_*.py --hypothesis-profile=fuzz --timeout=3600

bench: $(VENV)/.bench bench/node_modules/.installed browser
	$(BIN)/python -m bench.run

# MkDocs + Material builds the site that is served; then the post-build step finishes it.
site: $(VENV)/.runtime
	$(BIN)/python -m mkdocs build --strict --quiet
	$(BIN)/python -m help_site site

instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@

# The project is installed editable with its pinned dependencies (pyproject.toml); the test,
# lint and bench tools are its dependency groups, which pip reads from 25.1 on.
$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/pip install --quiet --disable-pip-version-check --editable .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check --group test --group lint --group zensical
	touch $@

$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/pip install --quiet --disable-pip-version-check --group bench
	touch $@

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium; install it when we can (root with apt-get).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: browser tests will be skipped. Install it with: sudo apt-get install chromium"; \
	  fi; \
	fi

# A local PostgreSQL for the tests (CI runs them on both databases): installs Debian's
# server when missing, starts it, and creates the role and database named below.
PG_TEST_URL := postgresql://claims:claims@127.0.0.1/claims_test
postgres:
	@command -v pg_ctlcluster >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@cluster=$$(pg_lsclusters -h | awk 'NR==1 {print $$1" "$$2}'); \
	  pg_ctlcluster $$cluster start 2>/dev/null || pg_ctlcluster $$cluster status >/dev/null
	@su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname = 'claims'\"" | grep -q 1 || \
	  su postgres -c "psql -qc \"CREATE ROLE claims LOGIN SUPERUSER PASSWORD 'claims'\""
	@su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname = 'claims_test'\"" | grep -q 1 || \
	  su postgres -c "createdb -O claims claims_test"
	@echo "PostgreSQL ready: CLAIMS_TEST_DATABASE_URL=$(PG_TEST_URL)"

# The email tests read a real mailbox: Debian's Dovecot, installed here when missing (as root
# with apt-get). The tests start their own instance (loopback ports, a throw-away
# configuration, users and maildirs) and stop it at the end; the system's service stays off.
dovecot:
	@if [ ! -x /usr/sbin/dovecot ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	  else \
	    echo "Dovecot is missing: email tests will be skipped. Install it with: sudo apt-get install dovecot-imapd"; \
	  fi; \
	fi
