# The README's two commands: `make serve` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: serve test lint validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# JavaScript tools from the npm registry (Comunica, a third-party SPARQL client used by the tests).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

serve: $(STAMP)
	$(BIN)/cmskg serve $(ARGS)

validate: $(STAMP)
	$(BIN)/cmskg validate

lint: $(STAMP)
	$(BIN)/ruff check app tests

test: $(STAMP) $(NODE_STAMP) lint
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
