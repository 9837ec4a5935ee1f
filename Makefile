# make run   build the help site and serve it on http://127.0.0.1:$(PORT)
# make test  lint, strict site build, then the whole test suite
#
# Both set up .venv (and, for tests, the browser tools) only when their inputs changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: run test site browser

run: $(VENV)/.runtime site
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory site $(PORT)

test: $(VENV)/.dev node_modules/.installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mkdocs build --strict --quiet
	$(BIN)/pytest

site: $(VENV)/.runtime
	$(BIN)/mkdocs build --strict --quiet

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
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
