# Taming GANs: `make book` builds the HTML book, `make test` runs the whole suite.
# Both create .venv and install everything on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PYTHONHASHSEED := 0
# One thread per process: the book's timings and floating-point results then do not depend on
# the machine's core count, and parallel comparisons (gc.bench, workers=2) do not oversubscribe.
export OMP_NUM_THREADS ?= 1

# The browser test (make browser): Debian's Chromium, driven by Playwright (from requirements-ci.txt),
# and MathJax from the npm registry, served to the pages in place of the CDN.
CHROMIUM      ?= /usr/bin/chromium
MATHJAX_VER   := 3.2.2
MATHJAX_DIR   := $(VENV)/share/mathjax-$(MATHJAX_VER)/package/es5
SUDO          := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install lint unit nbval build-book book browser chromium mathjax test notebooks bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-ci.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-ci.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

lint: install
	$(VENV)/bin/ruff check gancore tests scripts
	$(VENV)/bin/ruff format --check gancore tests scripts

unit: install
	MPLBACKEND=Agg $(PY) -m pytest tests --durations=5

nbval: install
	$(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider --durations=0 book/

build-book: install
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

book: build-book
	@echo "Book: $(CURDIR)/_build/html/index.html"

# Every page of the built book in headless Chromium: links, images, math, cell tags, launch
# buttons; one screenshot per part in _build/screenshots/. Builds the book first if needed.
browser: install chromium mathjax
	test -f _build/html/index.html || $(MAKE) build-book
	CHROMIUM=$(CHROMIUM) MATHJAX_DIR=$(CURDIR)/$(MATHJAX_DIR) $(PY) -m pytest tests/browser --browser -q
	@echo "Screenshots (one per part): $(CURDIR)/_build/screenshots"

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@test -x $(CHROMIUM) && echo "Chromium: $$($(CHROMIUM) --version 2>/dev/null)"

mathjax: $(MATHJAX_DIR)/tex-mml-chtml.js

$(MATHJAX_DIR)/tex-mml-chtml.js:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	mkdir -p $(VENV)/share/mathjax-$(MATHJAX_VER)
	cd $(VENV)/share && npm pack --silent mathjax@$(MATHJAX_VER) >/dev/null
	tar -xzf $(VENV)/share/mathjax-$(MATHJAX_VER).tgz -C $(VENV)/share/mathjax-$(MATHJAX_VER)
	rm $(VENV)/share/mathjax-$(MATHJAX_VER).tgz
	test -f $@

test: lint unit nbval build-book browser

notebooks: install
	$(PY) scripts/execute_notebooks.py

bench: install
	$(PY) scripts/bench_trainer.py
	$(PY) scripts/bench_ensemble.py

clean:
	rm -rf _build .pytest_cache
