"""The install cell: the first code cell of every chapter, written by ``tools/convert_notebooks.py`` (never by hand).

A chapter opened where the book's package is missing (Colab, Binder, a downloaded notebook in any Jupyter) installs
it on first run, pinned to the book's own version, and says so in one line; where ``lstm_book`` is installed
already (``make lab``, the website's build, nbval) the cell does nothing. The website never shows it: it is tagged
``remove-cell``. Where it installs from comes from the book's files:

* ``repository.url`` in ``_config.yml`` (the published repository) and the version in ``pyproject.toml``: the cell
  installs ``lstm_book @ git+<url>@v<version>`` (README.md, "How to publish the book", tags that commit);
* the environment variable ``LSTM_BOOK_SOURCE``, when set, overrides it (any pip requirement: a local path or a
  wheel; the tests point it at a wheel built from this repository).

With ``repository.url`` empty (the book is not published yet) the cell installs only from ``LSTM_BOOK_SOURCE`` and
otherwise stops with a message that says how to get the package.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import yaml
from notebook_links_common import ROOT

TAG = "install-lstm-book"  # marks the cell, so that the script finds and rewrites it
CELL_ID = "install-lstm-book"


def book_source(root: Path) -> tuple[str, str]:
    """(the package's version, the pip requirement that installs it from the published repository, or "")."""
    def of_the_book(name: str) -> str:  # a copy of the chapters alone (as some tests make) reads this repository's
        return ((root / name) if (root / name).exists() else (ROOT / name)).read_text()

    version = tomllib.loads(of_the_book("pyproject.toml"))["project"]["version"]
    config = yaml.safe_load(of_the_book("_config.yml")) or {}
    url = ((config.get("repository") or {}).get("url") or "").strip().rstrip("/")
    return version, (f"lstm_book @ git+{url}@v{version}" if url else "")


def install_code(root: Path) -> str:
    version, published = book_source(root)
    fallback = (f'"{published}"' if published else
                '""  # the book is not published yet (_config.yml: repository.url is empty)')
    return f'''\
# The book's package, lstm_book {version}: installed here on first run if this Jupyter lacks it (Colab, Binder,
# a downloaded notebook); where it is installed already, this cell does nothing.
import importlib, importlib.util, os, subprocess, sys
if importlib.util.find_spec("lstm_book") is None:
    source = os.environ.get("LSTM_BOOK_SOURCE") or {fallback}
    if not source:
        raise ModuleNotFoundError("lstm_book is not installed: pip install it from the book's repository, "
                                  "or set LSTM_BOOK_SOURCE to its folder")
    print(f"Installing the book's package lstm_book {version} from {{source}} (once) ...")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", source],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError("pip could not install lstm_book:\\n" + pip.stdout + pip.stderr)
    importlib.invalidate_caches()'''


def install_cell(root: Path) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID,
            "metadata": {"jupyter": {"source_hidden": True}, "tags": ["remove-cell", TAG]}, "outputs": [], "source": install_code(root)}


def with_install_cell(nb: dict, root: Path) -> dict:
    """``nb`` with the install cell (up to date) as its first code cell, right after the title cell."""
    cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    title = next((n for n, c in enumerate(cells)
                  if c["cell_type"] == "markdown" and "".join(c["source"]).lstrip().startswith("# ")), None)
    if title is None:
        return nb
    nb = dict(nb)
    nb["cells"] = cells[:title + 1] + [copy.deepcopy(install_cell(root))] + cells[title + 1:]
    return nb
