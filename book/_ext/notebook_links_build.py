"""Stored form -> what Sphinx checks: run at build time, when Sphinx reads a page (the ``source-read`` event, connected
by ``notebook_links.py``), and by ``tools/convert_notebooks.py --build-form``.

The Markdown links of the stored chapters and pages become ``{term}``, ``{cite:t}``, ``{cite:p}`` roles and label
references (so the strict build still fails on a reference that does not resolve; ``check_links`` reports the rest),
each ``{solution}`` cell with ``python`` blocks becomes a gated solution whose code cells run at build time, the
definition-list glossary becomes Sphinx's indented one, and the written-out list of references the ``{bibliography}``
directive.
"""

from __future__ import annotations

import json
import posixpath
import re

from notebook_links_common import (
    BIB_BEGIN, BIB_END, BIBFILE, GLOSSARY, LINK, REFERENCES, ROLE, Book, cell_text, is_external, make_cell_id,
    map_prose, markdown_cell, markdown_segments, resolve, split_target, with_cells,
)

SOLUTION = re.compile(r"^(?P<fence>:{3,})\{solution\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
PYTHON_BLOCK = re.compile(r"^(?P<fence>`{3,})python[ \t]*\n(?P<code>.*?)^(?P=fence)[ \t]*$\n?", re.M | re.S)
CITE_P = re.compile(r"\((?P<links>\[[^\[\]]*\]\([^()\s]*references\.md#[^()\s]+\)(?:;[ \t]*\[[^\[\]]*\]\([^()\s]*references\.md#[^()\s]+\))*)\)")


class Unresolved(ValueError):
    pass


def links_to_roles(text: str, doc: str, book: Book, problems: list[str]) -> str:
    """Turn the stored links of the document ``doc`` into the roles Sphinx resolves (and checks)."""

    def cite_p(m):
        keys = [split_target(t)[1] for t in re.findall(r"\]\(([^()\s]+)\)", m.group("links"))]
        return "{cite:p}`" + ",".join(keys) + "`"

    def link(m):
        text, target = m.group("text"), m.group("target")
        if is_external(target):
            return m.group(0)
        path, fragment = split_target(target)
        where = resolve(doc, path)
        if where == GLOSSARY and fragment.startswith("term-"):
            term = book.terms.get(fragment)
            if term is None:  # reported by check_links
                return m.group(0)
            return "{term}`" + (text if text == term else f"{text} <{term}>") + "`"
        if where == REFERENCES and fragment in book.bib:
            return "{cite:t}`" + fragment + "`"
        if fragment and (where.endswith(".ipynb") or where.endswith(".md")):
            if re.search(r"[$`*_\\<>]", text):
                return f"[{text}](#{fragment})"  # MyST resolves the label and typesets the text's math
            return "{ref}`" + f"{text} <{fragment}>" + "`"
        return m.group(0)

    def convert(piece: str) -> str:
        return LINK.sub(link, CITE_P.sub(cite_p, piece))

    return map_prose(text, convert)


def check_links(text: str, doc: str, book: Book) -> list[str]:
    """Every link of the document ``doc`` into the book that would not lead where it says, in JupyterLab or on the site."""
    problems = []

    def check(m):
        text, target = m.group("text"), m.group("target")
        if is_external(target):
            return
        path, fragment = split_target(target)
        where = resolve(doc, path)
        if not path:
            problems.append(f"{doc}: [{text}]({target}): write the file too ({posixpath.basename(doc)}#{fragment}), "
                            "so that JupyterLab and the website agree")
            return
        if not (book.root / where).exists():
            problems.append(f"{doc}: [{text}]({target}): no such file {where}")
            return
        if not fragment:
            return
        if where == GLOSSARY and fragment.startswith("term-"):
            if fragment not in book.terms:
                problems.append(f"{doc}: [{text}]({target}): the glossary has no term with the anchor {fragment!r}")
        elif where == REFERENCES and fragment not in book.labels:
            if fragment not in book.bib:
                problems.append(f"{doc}: [{text}]({target}): {fragment!r} is not a key of {BIBFILE}")
        elif book.labels.get(fragment, (None,))[0] != where:
            found = book.labels.get(fragment)
            problems.append(f"{doc}: [{text}]({target}): no label {fragment!r} in {where}"
                            + (f" (it is in {found[0]})" if found else ""))

    for is_code, piece in markdown_segments(text):
        if not is_code:
            for m in LINK.finditer(piece):
                check(m)
            for m in ROLE.finditer(piece):
                problems.append(f"{doc}: {m.group(0)}: a role JupyterLab cannot follow (run tools/convert_notebooks.py)")
    return problems


def glossary_to_sphinx(text: str) -> str:
    """The definition-list glossary as Sphinx's glossary directive wants it (definitions indented under the term)."""

    def block(m):
        return m.group(1) + "{glossary}" + m.group(2) + "\n" + re.sub(r"^:[ \t]+", "  ", m.group(3), flags=re.M) + m.group(1)

    return re.sub(r"^(`{3,}|:{3,})\{glossary\}([^\n]*)\n(.*?)^\1", block, text, flags=re.M | re.S)


def references_to_sphinx(text: str) -> str:
    pattern = re.compile(re.escape(BIB_BEGIN) + r".*?" + re.escape(BIB_END), re.S)
    return pattern.sub("```{bibliography}\n:all:\n```", text)


def solutions_to_gated(nb: dict) -> dict:
    """A ``{solution}`` cell with ``python`` blocks becomes a gated solution with code cells (run at build time)."""
    cells = []
    for cell in nb["cells"]:
        text = cell_text(cell) if cell["cell_type"] == "markdown" else ""
        matches = [m for m in SOLUTION.finditer(text) if PYTHON_BLOCK.search(m.group("body"))]
        if not matches:
            cells.append(cell)
            continue
        position = 0
        for n, m in enumerate(matches):
            before = text[position:m.start()]
            if before.strip():
                cells.append(markdown_cell(before, f"{cell.get('id', 'c')}-{n}-before"))
            cells.extend(_gated(m.group("label"), m.group("body"), cell.get("id", "c")))
            position = m.end()
        after = text[position:]
        if after.strip():
            cells.append(markdown_cell(after, f"{cell.get('id', 'c')}-after"))
    return with_cells(nb, cells)


def _gated(label: str, body: str, seed: str) -> list[dict]:
    options = re.match(r"((?::[^\n]*\n)*)", body).group(1)
    body = body[len(options):]
    pieces, position = [], 0
    for m in PYTHON_BLOCK.finditer(body):
        pieces.append(("md", body[position:m.start()]))
        pieces.append(("code", m.group("code")))
        position = m.end()
    pieces.append(("md", body[position:]))
    start = "```{solution-start} " + label + "\n" + options + "```\n"
    end = "```{solution-end}\n```\n"
    pieces[0] = ("md", start + pieces[0][1])
    pieces[-1] = ("md", pieces[-1][1].rstrip("\n") + "\n\n" + end)
    cells = []
    for n, (kind, text) in enumerate(pieces):
        cell_id = make_cell_id(f"{label}-{n}")
        if kind == "code":
            cells.append({"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {}, "outputs": [],
                          "source": text.rstrip("\n")})
        elif text.strip():
            cells.append({"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text.strip("\n") + "\n"})
    return cells


def to_sphinx(doc: str, source: str, book: Book, problems: list[str]) -> str:
    """The text Sphinx reads for the document ``doc`` (repository-relative path), given the stored ``source``."""
    if doc.endswith(".ipynb"):
        nb = json.loads(source)
        text = "\n\n".join(cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
        problems.extend(p for p in check_links(text, doc, book) if "a role JupyterLab" not in p)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                cell["source"] = links_to_roles(cell_text(cell), doc, book, problems)
        return json.dumps(solutions_to_gated(nb))
    problems.extend(p for p in check_links(source, doc, book) if "a role JupyterLab" not in p)
    text = links_to_roles(source, doc, book, problems)
    if doc == GLOSSARY:
        text = glossary_to_sphinx(text)
    if doc == REFERENCES:
        text = references_to_sphinx(text)
    return text

