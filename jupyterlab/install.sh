#!/bin/sh
# Install the book's JupyterLab settings and link extension into a Python environment:
#   jupyterlab/install.sh PREFIX      (PREFIX: the environment's sys.prefix, e.g. .venv)
# Run by `make install` (PREFIX .venv) and by Binder's postBuild (the image's environment).
#   overrides.json       -> PREFIX/share/jupyter/lab/settings/overrides.d/lstm-book.json (JupyterLab's defaults)
#   lstm-book-links/     -> PREFIX/share/jupyter/labextensions/lstm-book-links (a link opens at its entry)
set -eu
prefix="${1:?usage: jupyterlab/install.sh PREFIX}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$prefix/share/jupyter/lab/settings/overrides.d" "$prefix/share/jupyter/labextensions"
cp "$here/overrides.json" "$prefix/share/jupyter/lab/settings/overrides.d/lstm-book.json"
rm -rf "$prefix/share/jupyter/labextensions/lstm-book-links"
cp -R "$here/lstm-book-links" "$prefix/share/jupyter/labextensions/lstm-book-links"
