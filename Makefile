# The README's two commands: `make serve` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# Debian packages the tests need (a second SPARQL engine; Chromium for the web page's browser
# tests, driven by Playwright without a browser download; Apache httpd and curl to run our w3id.org
# redirect rules in front of the server). Installed only when missing.
SYSTEM_PACKAGES := virtuoso-opensource chromium chromium-driver apache2 curl wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test lint validate clean system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# JavaScript tools from the npm registry (Comunica, a third-party SPARQL client used by the tests).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

system-deps:
	@{ command -v virtuoso-t >/dev/null 2>&1 && [ -x /usr/bin/chromium ] && [ -x /usr/sbin/apache2 ] \
	   && command -v curl >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1; } || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SYSTEM_PACKAGES); }

serve: $(STAMP)
	$(BIN)/cmskg serve $(ARGS)

validate: $(STAMP)
	$(BIN)/cmskg validate

lint: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff check scripts && $(BIN)/python scripts/readme.py --check
	$(BIN)/python -m mypy

# The README's reference tables (commands, settings, HTTP operations, canned queries), rewritten
# from the code; `make lint` fails when they differ from it.
.PHONY: readme
readme: $(STAMP)
	$(BIN)/python scripts/readme.py

test: $(STAMP) $(NODE_STAMP) system-deps lint
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
