"""Stored form -> a notebook for any Jupyter (Colab, Kaggle, VS Code, Notebook 7, JupyterLab without jupyterlab-myst).

Those front ends render Markdown and math but no MyST: a ``{exercise}`` block or a ``{solution}`` dropdown would show
as raw directive text, the solution in plain sight. The plain copy keeps every code cell as it is (outputs cleared)
and rewrites the Markdown:

* an exercise becomes a heading (``#### Exercise 4.1``, an anchor in every front end) and its text;
* a solution becomes an HTML ``<details>`` block, closed until the reader opens it (its ``python`` blocks stay code
  listings: nothing runs them, so no solution output is visible);
* a glossary term, a chapter or exercise reference and a citation become links to the website (``html.baseurl`` in
  ``_config.yml``; while it is empty, links relative to the chapter's page on the site);
* the chapter's label line ``(ch-...)=`` goes; the hidden checks (cells the website removes) are collapsed.

The explorers need nothing here: their output carries the live widget and, for a front end that runs no widgets,
the figure at the defaults (``text/html``). The Sphinx extension (``notebook_links.py``) writes these copies into
the site at the end of the build (the download button serves them), and ``tools/convert_notebooks.py --plain DIR``
writes them for the branch the launch buttons open (README.md, "How to publish the book").
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
from pathlib import Path

from notebook_links_common import (
    EXERCISE, GLOSSARY, LINK, TARGET, Book, cell_text, is_external, map_prose, resolve, split_target,
)

SOLUTION = re.compile(r"^(?P<fence>:{3,}|`{3,})\{solution\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<opts>(?::[^\n]*\n)*)"
                      r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
EXERCISE_BLOCK = re.compile(EXERCISE.pattern + r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
HIDDEN = {"remove-cell", "remove-input", "hide-input"}


def page_of(where: str) -> str:
    """The website's page of a repository file: ``notebooks/04_forget_gate.ipynb`` -> ``notebooks/04_forget_gate.html``."""
    return re.sub(r"\.(ipynb|md)$", ".html", where)


def site_link(doc: str, where: str, fragment: str, book: Book, site: str) -> str:
    """The address on the website of ``where#fragment`` (repository path, stored anchor), as seen from ``doc``."""
    if where == GLOSSARY and fragment in book.terms:  # Sphinx keeps the term's case: #term-GRU, not #term-gru
        from sphinx.util.nodes import _make_id

        fragment = "term-" + _make_id(book.terms[fragment])
    page = page_of(where)
    url = site.rstrip("/") + "/" + page if site else posixpath.relpath(page, posixpath.dirname(doc) or ".")
    return url + ("#" + fragment if fragment else "")


def plain_links(text: str, doc: str, book: Book, site: str) -> str:
    def link(m):
        target = m.group("target")
        if is_external(target):
            return m.group(0)
        path, fragment = split_target(target)
        return f"[{m.group('text')}]({site_link(doc, resolve(doc, path), fragment, book, site)})"

    return map_prose(text, lambda piece: LINK.sub(link, piece))


def plain_markdown(text: str, book: Book) -> str:
    def exercise(m):
        arg = m.group("arg").strip()
        number, _, title = arg.partition(" ")
        return f"#### Exercise {number}" + (f": {title}" if title else "") + "\n\n" + m.group("body").strip("\n")

    def solution(m):
        _, name = book.labels.get(m.group("label"), ("", "the exercise"))
        return (f"<details>\n<summary>Solution to {name} (click to open)</summary>\n\n"
                f"{m.group('body').strip(chr(10))}\n\n</details>")

    text = SOLUTION.sub(solution, text)
    text = EXERCISE_BLOCK.sub(exercise, text)
    return TARGET.sub("", text).strip("\n")


def plain_notebook(nb: dict, doc: str, book: Book, site: str) -> dict:
    """A copy of the stored chapter ``nb`` (repository path ``doc``) for front ends that do not render MyST."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = plain_markdown(plain_links(cell_text(cell), doc, book, site), book)
            if not text.strip():
                continue
            cell["source"] = text
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if HIDDEN & set(cell.get("metadata", {}).get("tags", [])):
                cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
        cells.append(cell)
    nb["cells"] = cells
    return nb


def write_plain_notebooks(book: Book, out: Path, site: str) -> list[Path]:
    """Write the plain copy of every chapter to ``out/notebooks/``; return the files written."""
    from notebook_links_convert import dump_notebook

    written = []
    for path in sorted(book.root.glob("notebooks/*.ipynb")):
        doc = path.relative_to(book.root).as_posix()
        target = Path(out) / doc
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_notebook(plain_notebook(json.loads(path.read_text()), doc, book, site)))
        written.append(target)
    return written
