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

.PHONY: install lint unit nbval build-book book test notebooks bench clean

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
	MPLBACKEND=Agg $(PY) -m pytest tests

nbval: install
	$(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider --durations=0 book/

build-book: install
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

book: build-book
	@echo "Book: $(CURDIR)/_build/html/index.html"

test: lint unit nbval build-book

notebooks: install
	$(PY) scripts/execute_notebooks.py

bench: install
	$(PY) scripts/bench_trainer.py
	$(PY) scripts/bench_ensemble.py

clean:
	rm -rf _build .pytest_cache
