"""One source for JupyterLab and the website: links a reader can follow in both, solutions hidden in both.

The chapters are stored in the form that JupyterLab (with jupyterlab-myst) can follow:

- a glossary term is a link to its entry, ``[forget gates](../book/glossary.md#term-forget-gate)``;
- a chapter, section or exercise is a link to its file and label, ``[chapter 4](04_forget_gate.ipynb#ch-forget-gate)``;
- a citation is a link to its entry in the list of references, ``[Gers et al. (2000)](../book/references.md#gers2000forget)``
  (textual) or ``([Gers et al., 2000](../book/references.md#gers2000forget))`` (parenthetical);
- a solution is one Markdown cell, a ``{solution}`` dropdown whose ``python`` blocks are its code;
- the glossary is a definition list inside the ``{glossary}`` directive (JupyterLab gives each term an anchor);
- the list of references is written out from ``references.bib`` (JupyterLab has no bibliography directive).

When Sphinx reads a page (the ``source-read`` event), this extension turns that form back into what Sphinx checks:
``{term}``, ``{cite:t}``, ``{cite:p}`` roles and label references (so the strict build still fails on a reference that
does not resolve), gated solutions whose code cells are executed at build time (their output lands inside the closed
dropdown, and an error fails the build), the indented glossary of Sphinx, and the ``{bibliography}`` directive.

The other direction, from the roles and gated solutions that authors may still write, is ``convert_*``, run by
``tools/convert_notebooks.py``: it is idempotent, so it can be run again after every merge.

This module is the Sphinx extension that ``_config.yml`` loads (``sphinx: local_extensions``); the work is done by

- ``notebook_links_build.py``: stored form -> what Sphinx checks (``to_sphinx``, at build time);
- ``notebook_links_convert.py``: what authors may write -> stored form (``convert_all``, by ``tools/convert_notebooks.py``);
- ``notebook_plain.py``: stored form -> the copy for any Jupyter (no MyST), written into the site at the end of the
  build (``_sources/notebooks/``, what the download button serves) and by ``tools/convert_notebooks.py --plain``;
- ``notebook_links_common.py``: what both use (the book's paths, the regexes, ``Book``: labels, titles, terms, keys).
"""

from __future__ import annotations

import os
from pathlib import Path

from notebook_links_build import to_sphinx
from notebook_links_common import ROOT, Book
from notebook_plain import write_plain_notebooks


def setup(app):
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    state = {}

    def book() -> Book:
        if "book" not in state:
            state["book"] = Book(Path(app.srcdir))
        return state["book"]

    def source_read(app, docname, source):
        path = Path(app.env.doc2path(docname))
        doc = path.relative_to(Path(app.srcdir)).as_posix()
        problems: list[str] = []
        source[0] = to_sphinx(doc, source[0], book(), problems)
        for problem in problems:
            logger.warning(problem, location=docname, type="notebook_links")

    def plain_copies(app, exception):
        """The download button's notebook (``_sources/notebooks/*.ipynb``) is the copy for any Jupyter."""
        if exception is None and app.builder.format == "html":
            write_plain_notebooks(book(), Path(app.outdir) / "_sources", app.config.html_baseurl or "")

    app.connect("source-read", source_read)
    app.connect("build-finished", plain_copies)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # pragma: no cover - the command line is tools/convert_notebooks.py
    import sys

    sys.exit(os.system(f"{sys.executable} {ROOT / 'tools' / 'convert_notebooks.py'} " + " ".join(sys.argv[1:])))
