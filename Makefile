# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint docs screenshots validate bench clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "python3.11 not found; set PY=/path/to/python3.11" >&2; exit 2; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

# The main job: the HTML report of the built-in default scenario (summary table + report path).
run: $(STAMP)
	$(BIN)/scalewall report --out report.html

# Whole test suite: the layer contracts (import-linter), lint and format (ruff), types (mypy), the
# tests, then a strict docs build (a broken link or anchor fails it; no screenshots needed).
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src
	$(BIN)/mypy
	$(BIN)/python -m pytest
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q -d "$$(mktemp -d)"

# The documentation site in site/: screenshots first (skipped without /usr/bin/chromium), then build.
docs: $(STAMP) screenshots
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# docs/img/*.png are generated (never committed): the browser tests write them on request.
screenshots: $(STAMP)
	SCALEWALL_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/web/test_browser.py \
	  -k "training_form_shows_numbers_and_chart or report_opens_offline_and_draws_every_chart"

# The static checks alone (the first four steps of `make test`).
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src
	$(BIN)/mypy

validate: $(STAMP)
	$(BIN)/scalewall validate

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis site docs/img
