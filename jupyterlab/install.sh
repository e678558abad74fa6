#!/bin/sh
# Install the book's JupyterLab settings and link extension into a Python environment:
#   jupyterlab/install.sh PREFIX      (PREFIX: the environment's sys.prefix, e.g. .venv)
# Run by `make install` (PREFIX .venv) and by Binder's postBuild (the image's environment).
#   overrides.json       -> PREFIX/share/jupyter/lab/settings/overrides.d/lstm-book.json (JupyterLab's defaults)
#   lstm-book-links/     -> PREFIX/share/jupyter/labextensions/lstm-book-links (a link opens at its entry)
#   server-config.json   -> PREFIX/etc/jupyter/jupyter_server_config.d/lstm-book.json (the kernel's websocket sends
#                           each message at once: lstm_book/teaching/lab_server.py says why)
set -eu
prefix="${1:?usage: jupyterlab/install.sh PREFIX}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$prefix/share/jupyter/lab/settings/overrides.d" "$prefix/share/jupyter/labextensions" \
  "$prefix/etc/jupyter/jupyter_server_config.d"
cp "$here/overrides.json" "$prefix/share/jupyter/lab/settings/overrides.d/lstm-book.json"
rm -rf "$prefix/share/jupyter/labextensions/lstm-book-links"
cp -R "$here/lstm-book-links" "$prefix/share/jupyter/labextensions/lstm-book-links"
cp "$here/server-config.json" "$prefix/etc/jupyter/jupyter_server_config.d/lstm-book.json"
