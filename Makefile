# The two commands a fresh machine needs: `make serve` and `make test`.
# Everything else sets itself up the same way (a .venv from requirements.txt).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Python keeps the bytecode it compiles (__pycache__/, git-ignored), even where
# the environment says not to: the tests start hundreds of Python processes,
# and each would compile the project's modules again (a tenth of a small build).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help serve test test-fast check site generate schema fmt fmt-check addresses lock bench search-report new-plan import import-progress clean browser

help:
	@echo "make serve    set up, generate and serve the site at http://127.0.0.1:8000 (live reload)"
	@echo "make test     set up and run every test (in parallel: a worker per core, and one more)"
	@echo "make test-fast  the tests that need neither Chromium nor a whole build of their own"
	@echo "make check    validate all data (file:line:col: message)"
	@echo "make site     build the site into site/ (mkdocs build --strict)"
	@echo "make schema   regenerate data/schema/*.json from scripts/model/models.py"
	@echo "make fmt      write every YAML file in data/ in the canonical style"
	@echo "make addresses  record newly published addresses in data/addresses.txt"
	@echo "make new-plan ID=xinzhen-2025-2027 [JURISDICTION=xinzhen]  create a valid stub plan"
	@echo "make import SRC=plan.pdf ID=plan-id [JURISDICTION=id]  draft a plan from its .docx, .pdf or .txt"
	@echo "make import-progress SRC=file.xlsx  read the progress units filled in on their XLSX lists"
	@echo "make search-report  rank and time of the expected result for each test query"
	@echo "make bench [SIZES=300]  build synthetic corpora of 300, 3,000 and 30,000 tasks and report"

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

serve: $(STAMP)
	$(PY) -m scripts serve

check: $(STAMP)
	@$(PY) -m scripts check

generate: $(STAMP)
	$(PY) -m scripts generate

site: $(STAMP)
	$(PY) -m scripts build

schema: $(STAMP)
	$(PY) -m scripts schema

fmt: $(STAMP)
	$(PY) -m scripts fmt

fmt-check: $(STAMP)
	$(PY) -m scripts fmt --check

addresses: $(STAMP)
	$(PY) -m scripts addresses

new-plan: $(STAMP)
	@test -n "$(ID)" || { echo "usage: make new-plan ID=plan-id [JURISDICTION=jurisdiction-id]"; exit 2; }
	$(PY) -m scripts new-plan $(ID) $(if $(JURISDICTION),--jurisdiction $(JURISDICTION))

import: $(STAMP)
	@test -n "$(SRC)" || { echo "usage: make import SRC=path/to/plan.docx|.pdf|.txt [ID=plan-id JURISDICTION=jurisdiction-id OUT=path FORCE=1]"; exit 2; }
	$(PY) -m scripts import "$(SRC)" $(if $(ID),--id $(ID)) $(if $(JURISDICTION),--jurisdiction $(JURISDICTION)) $(if $(OUT),--out "$(OUT)") $(if $(FORCE),--force)

import-progress: $(STAMP)
	@test -n "$(SRC)" || { echo "usage: make import-progress SRC=path/to/returned.xlsx"; exit 2; }
	$(PY) -m scripts import-progress "$(SRC)"

# Synthetic corpora of about 300, 3,000 and 30,000 tasks built with the real
# pipeline; three lines of figures per size (the build and its largest page in
# Chromium; the largest pages that show progress; ratios to stock MkDocs +
# Material and of a one-plan rebuild).
# `make bench SIZES=300` for a quick run.
SIZES ?= 300,3000,30000
bench: $(STAMP) browser
	$(PY) -m scripts.bench --sizes $(SIZES)

# Per query of tests/search/test_search_queries.py: rank of the expected task, time in
# Chromium, bytes before the first result. `make search-report SITE=dir` for a built site.
search-report: $(STAMP) browser
	$(PY) -m scripts.measure.search_report report $(if $(SITE),--site "$(SITE)")

# System packages the tests drive, from Debian (CI runs as root): chromium
# (browser tests), nginx and rsync (the README's deployment), LibreOffice Calc
# (opens the XLSX downloads). Installed when missing.
browser:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v rsync >/dev/null || missing="$$missing rsync"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	test -z "$$missing" || { \
	  echo "installing$$missing (Debian packages) for the tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; }

# Test tools from npm, pinned in package-lock.json: axe-core (accessibility),
# acorn (the JavaScript syntax check). Never served.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

# Every test, one worker per core and one more (pytest-xdist; a test module
# stays on one worker, so that its fixtures are made once): the tests wait on
# Chromium, servers and commands, and with one worker per core a core stood
# idle a tenth of the run. Modules are handed out longest first, and a worker
# still busy gets the shortest left (tests/scheduling.py; --no-loadscope-reorder:
# not re-sorted by how many tests they hold, xdist's default, which left the
# longest for last).
# The data's canonical style is one of the tests (tests/editor/test_workflow.py),
# not a command run before them. The ten slowest are listed and the last line
# is the wall time of the whole target.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST := $(PY) -m pytest -q --dist loadscope --no-loadscope-reorder
test: $(STAMP) $(NODE_STAMP) browser
	@start=$$(date +%s); \
	$(PYTEST) -n $(WORKERS) --durations=10; status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

# While editing: no Chromium and no test that builds whole sites of its own
# (markers `browser` and `slow`, tests/conftest.py). Nothing waits here: one
# worker per core.
test-fast: $(STAMP) $(NODE_STAMP)
	@start=$$(date +%s); \
	$(PYTEST) -n auto -m "not browser and not slow"; status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s"; exit $$status

lock:
	$(PYTHON) -m venv /tmp/lock-venv && /tmp/lock-venv/bin/pip install -q -r requirements.in \
	  && (echo "# Generated from requirements.in by \`make lock\`: every package pinned."; /tmp/lock-venv/bin/pip freeze) > requirements.txt

clean:
	rm -rf build site .build-cache .pytest_cache
