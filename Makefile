# The two set-up commands of the README:
#   make book   install, build the website strictly, say where to open it
#   make test   install (with requirements-test.txt: PyTorch, the tests' reference), then run every test
#               (package, explorers, checkers, notebooks, website in Chromium)
#   make pdf    the website, then the whole book as one PDF printed by Chromium (_build/pdf/, and offered by the site)
#   make notebooks  the chapters for any Jupyter (no MyST) in _build/notebooks/, for the branch the launch buttons open
#   make bench  the benchmarks (benchmarks/bench_*.py): the fast cell against PyTorch, and the others
# Both work on a fresh machine with Python 3.11; `make test` also needs Debian's chromium (installed if missing).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: book test bench install install-test assets browser serve lab clean pdf notebooks

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# JupyterLab settings for reading the book (open Markdown pages rendered, fetch no news), the link extension (a
# link's #entry opens at the entry) and the server's kernel connection without Nagle's delay (live views answer in
# about 10 ms, not 50): jupyterlab/install.sh, also run by Binder's postBuild.
$(VENV)/.installed-lab: jupyterlab/install.sh jupyterlab/overrides.json jupyterlab/server-config.json $(shell find jupyterlab/lstm-book-links -type f) $(VENV)/.installed
	jupyterlab/install.sh $(VENV)
	touch $@

install: $(VENV)/.installed $(VENV)/.installed-lab

# The tests' extra reference (PyTorch, pinned to its CPU build); `make book` does not need it.
$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install-test: $(VENV)/.installed-test

# MathJax, require.js and the widget manager, served by the site itself (pinned in package-lock.json).
# Without npm the site falls back to the CDNs, and says so in the build log.
assets:
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the website will load MathJax and the widget manager from their CDNs"; fi

book: install assets
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo
	@echo "The book is built. Open $(CURDIR)/_build/html/index.html in a browser,"
	@echo "or run 'make serve' and open http://127.0.0.1:8000/"

# The PDF edition: the built website printed by Debian's chromium (tools/make_pdf.py says why this route).
pdf: book browser
	$(PY) tools/make_pdf.py

# The chapters for Jupyter front ends that do not render MyST (Colab, Kaggle, VS Code, Notebook 7): what the launch
# buttons open once pushed to the branch `repository.branch` of _config.yml (README.md, "How to publish the book").
notebooks: install
	rm -rf _build/notebooks
	$(PY) tools/convert_notebooks.py --plain _build/notebooks

# The notebooks as a course: JupyterLab at the book's folder (links to the glossary and references need it), chapter 0 open.
# (JupyterLab refuses to run as root unless told: containers often are root.)
lab: install
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(SUDO),,--allow-root) notebooks/00_lstm_at_a_glance.ipynb

serve:
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

test: install install-test assets browser
	timeout 1800 $(PY) -m pytest

# Timings, not tests: every benchmarks/bench_*.py prints its measurements (the fast cell against PyTorch,
# explorer redraw times on the site and in JupyterLab, ...).
bench: install-test assets browser
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf _build
