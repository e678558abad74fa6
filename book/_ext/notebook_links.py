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

The other direction, from the roles and gated solutions that authors may still write, is ``convert_*`` below, run by
``tools/convert_notebooks.py``: it is idempotent, so it can be run again after every merge.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import posixpath
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = "book/glossary.md"
REFERENCES = "book/references.md"
BIBFILE = "book/references.bib"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict:
    """What the kernel reports when JupyterLab opens a notebook; a notebook that stores anything else is marked
    changed on open. The version is this interpreter's (run the script with the book's .venv/bin/python)."""
    import platform

    return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3", "version": platform.python_version()}
BIB_BEGIN = "<!-- references: begin (generated from references.bib by tools/convert_notebooks.py; the website shows the {bibliography} directive instead) -->"
BIB_END = "<!-- references: end -->"

# A Markdown link (not an image) whose target has no spaces: text may hold math and one level of brackets.
LINK = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\((?P<target>[^()\s]+)\)")
ROLE = re.compile(r"\{(?P<role>term|ref|doc|cite:t|cite:p|cite)\}`(?P<body>[^`]+)`")
TARGET = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=[ \t]*$", re.M)
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t]*$", re.M)
EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<arg>[^\n]*)\n(?P<opts>(?::[^\n]*\n)*)", re.M)
SOLUTION_START = re.compile(r"^(?P<fence>`{3,})\{solution-start\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<opts>(?::[^\n]*\n)*)(?P=fence)[ \t]*(?:\n|$)", re.M)
SOLUTION_END = re.compile(r"^(?P<fence>`{3,})\{solution-end\}[ \t]*\n(?P=fence)[ \t]*(?:\n|$)", re.M)
SOLUTION = re.compile(r"^(?P<fence>:{3,})\{solution\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
PYTHON_BLOCK = re.compile(r"^(?P<fence>`{3,})python[ \t]*\n(?P<code>.*?)^(?P=fence)[ \t]*$\n?", re.M | re.S)
CITE_P = re.compile(r"\((?P<links>\[[^\[\]]*\]\([^()\s]*references\.md#[^()\s]+\)(?:;[ \t]*\[[^\[\]]*\]\([^()\s]*references\.md#[^()\s]+\))*)\)")


# ---------------------------------------------------------------------------------------------------- small helpers

def term_anchor(term: str) -> str:
    """The anchor of a glossary term, as Sphinx and mystmd both write it: ``forget gate`` -> ``term-forget-gate``."""
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def split_target(target: str) -> tuple[str, str]:
    path, _, fragment = target.partition("#")
    return path, fragment


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target)) or target.startswith("//")


def resolve(doc: str, path: str) -> str:
    """The repository path of ``path`` written in the document ``doc`` (both relative to the repository root)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc), path)) if path else doc


def relative(doc: str, path: str) -> str:
    """How the document ``doc`` writes a link to ``path``."""
    return posixpath.relpath(path, posixpath.dirname(doc) or ".")


def cell_text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown_segments(text: str):
    """Split Markdown into (is_code, text) pieces: code fences are left alone, directive fences are Markdown."""
    out, buf, stack = [], [], []  # stack of (char, length, is_code)
    in_code = False
    for line in text.splitlines(keepends=True):
        m = re.match(r"^[ \t]{0,3}(`{3,}|~{3,}|:{3,})(.*)$", line.rstrip("\n"))
        if m:
            fence, info = m.group(1), m.group(2).strip()
            if stack and fence[0] == stack[-1][0] and len(fence) >= stack[-1][1] and not info:
                closing_code = stack.pop()[2]
                if closing_code:
                    buf.append(line)
                    out.append((True, "".join(buf)))
                    buf = []
                    in_code = False
                    continue
            elif not in_code:
                is_code = fence[0] != ":" and not info.startswith("{")
                stack.append((fence[0], len(fence), is_code))
                if is_code:
                    if buf:
                        out.append((False, "".join(buf)))
                    buf, in_code = [line], True
                    continue
        buf.append(line)
    if buf:
        out.append((in_code, "".join(buf)))
    return out


def map_prose(text: str, function) -> str:
    """Apply ``function`` to the Markdown outside code blocks."""
    return "".join(piece if is_code else function(piece) for is_code, piece in markdown_segments(text))


# ------------------------------------------------------------------------------------------ what the book defines

class Book:
    """The labels, chapter titles, glossary terms and bibliography keys of the book at ``root``."""

    def __init__(self, root: Path = ROOT):
        self.root = Path(root)
        self.labels: dict[str, tuple[str, str]] = {}  # label -> (document, implicit text)
        self.titles: dict[str, str] = {}  # document -> title
        self.terms: dict[str, str] = {}  # anchor -> term
        self.bib: dict[str, dict] = {}
        for path in sorted(self.root.glob("notebooks/*.ipynb")) + sorted(self.root.glob("book/*.md")):
            doc = path.relative_to(self.root).as_posix()
            self._index(doc, document_text(path))
        glossary = self.root / GLOSSARY
        if glossary.exists():
            for term in glossary_terms(glossary.read_text()):
                self.terms[term_anchor(term)] = term
        if (self.root / BIBFILE).exists():
            self.bib = read_bib(self.root / BIBFILE)

    def _index(self, doc: str, text: str):
        headings = [(m.start(), m.group("title")) for m in HEADING.finditer(text)]
        if headings:
            self.titles[doc] = headings[0][1]
        for m in TARGET.finditer(text):
            following = [title for start, title in headings if start > m.start()]
            self.labels[m.group("label")] = (doc, following[0] if following else m.group("label"))
        for m in EXERCISE.finditer(text):
            label = re.search(r":label:\s*(\S+)", m.group("opts"))
            if label:
                number = m.group("arg").split()[0] if m.group("arg").strip() else ""
                self.labels[label.group(1)] = (doc, f"exercise {number}".strip())

    def cite_label(self, key: str, parenthetical: bool) -> str:
        entry = self.bib[key]
        names = entry["last_names"]
        who = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        return f"{who}, {entry['year']}" if parenthetical else f"{who} ({entry['year']})"


def read_bib(path: Path) -> dict[str, dict]:
    import pybtex.database
    import pybtex.plugin
    from pybtex.richtext import Text

    data = pybtex.database.parse_file(str(path))
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "plain")()
    backend = pybtex.plugin.find_plugin("pybtex.backends", "markdown")()
    out = {}
    for formatted in style.format_entries(data.entries.values()):
        entry = data.entries[formatted.key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [Text.from_latex(" ".join(p.prelast_names + p.last_names)).render_as("text") for p in people]
        full = formatted.text.render(backend).replace("\n", " ")
        full = re.sub(r"\\([.\-()!])", r"\1", full)
        out[formatted.key] = {"last_names": last, "year": entry.fields.get("year", ""), "text": full}
    return out


def glossary_terms(text: str) -> list[str]:
    """The terms of the ``{glossary}`` directive, in either form (Sphinx's indented one or a definition list)."""
    block = re.search(r"^(`{3,}|:{3,})\{glossary\}[^\n]*\n(.*?)^\1[ \t]*$", text, re.M | re.S)
    if not block:
        return []
    terms, previous_blank = [], True
    for line in block.group(2).splitlines():
        if line.strip() and not line[0].isspace() and not line.startswith(":") and previous_blank:
            terms.append(line.strip())
        previous_blank = not line.strip()
    return terms


# ------------------------------------------------------------------------ stored form -> Sphinx (at build time)

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


def document_text(path: Path) -> str:
    """The Markdown of a page, or of all Markdown cells of a notebook."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text())
        return "\n\n".join(cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    return path.read_text()


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
                cells.append(_markdown(before, f"{cell.get('id', 'c')}-{n}-before"))
            cells.extend(_gated(m.group("label"), m.group("body"), cell.get("id", "c")))
            position = m.end()
        after = text[position:]
        if after.strip():
            cells.append(_markdown(after, f"{cell.get('id', 'c')}-after"))
    nb = dict(nb)
    nb["cells"] = cells
    return nb


def _markdown(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": _cell_id(cell_id), "metadata": {}, "source": text.strip("\n") + "\n"}


def _cell_id(seed: str) -> str:
    return seed if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", seed) else hashlib.sha1(seed.encode()).hexdigest()[:16]


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
        cell_id = _cell_id(f"{label}-{n}")
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


# ------------------------------------------------------------------------ the Sphinx extension

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

    app.connect("source-read", source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------------ roles and gated solutions -> stored form

def roles_to_links(text: str, doc: str, book: Book, problems: list[str]) -> str:
    """The roles an author wrote, as links JupyterLab can follow (the inverse of ``links_to_roles``)."""

    def explicit(body: str) -> tuple[str | None, str]:
        m = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body)
        return (m.group(1), m.group(2)) if m else (None, body)

    def role(m):
        name, body = m.group("role"), m.group("body")
        if name == "term":
            text, term = explicit(body)
            anchor = term_anchor(term)
            if anchor not in book.terms:
                problems.append(f"{doc}: {{term}}`{body}`: no such glossary term")
            return f"[{text or term}]({relative(doc, GLOSSARY)}#{anchor})"
        if name == "ref":
            text, label = explicit(body)
            if label not in book.labels:
                problems.append(f"{doc}: {{ref}}`{body}`: no such label")
                return m.group(0)
            where, implicit = book.labels[label]
            return f"[{text or implicit}]({relative(doc, where)}#{label})"
        if name == "doc":
            text, path = explicit(body)
            where = resolve(doc, path)
            for suffix in (".ipynb", ".md"):
                if (book.root / (where + suffix)).exists():
                    where += suffix
                    break
            else:
                problems.append(f"{doc}: {{doc}}`{body}`: no such document")
                return m.group(0)
            return f"[{text or book.titles.get(where, where)}]({relative(doc, where)})"
        keys = [k.strip() for k in body.split(",") if k.strip()]
        missing = [k for k in keys if k not in book.bib]
        if missing:
            problems.append(f"{doc}: {{{name}}}`{body}`: not in references.bib: {missing}")
            return m.group(0)
        target = relative(doc, REFERENCES)
        if name == "cite:t":
            return ", ".join(f"[{book.cite_label(k, False)}]({target}#{k})" for k in keys)
        return "(" + "; ".join(f"[{book.cite_label(k, True)}]({target}#{k})" for k in keys) + ")"

    def refresh(m):
        # a link whose text is a chapter title ("4. The forget gate $f_t$") follows the title when it changes
        text, target = m.group("text"), m.group("target")
        if is_external(target) or not re.match(r"^\d+\. ", text):
            return m.group(0)
        path, fragment = split_target(target)
        where = resolve(doc, path)
        title = book.labels.get(fragment, (None, None))[1] if fragment else book.titles.get(where)
        if fragment and book.labels.get(fragment, (None,))[0] != where:
            return m.group(0)
        return f"[{title}]({target})" if title and re.match(r"^\d+\. ", title) else m.group(0)

    return map_prose(text, lambda piece: LINK.sub(refresh, ROLE.sub(role, piece)))


def glossary_to_deflist(text: str) -> str:
    """Sphinx's indented glossary as a definition list (idempotent): the first line of a definition gets ``: ``."""

    def block(m):
        lines, out, previous = m.group(3).splitlines(keepends=True), [], "blank"
        for line in lines:
            if not line.strip():
                kind = "blank"
            elif not line[0].isspace() and not line.startswith(":"):
                kind = "term"
            elif line.startswith(":"):
                kind = "definition"
            else:
                kind = "definition" if previous == "term" else "more"
                if previous == "term":
                    line = ": " + line.lstrip()
            out.append(line)
            previous = kind
        return m.group(1) + "{glossary}" + m.group(2) + "\n" + "".join(out) + m.group(1)

    return re.sub(r"^(`{3,}|:{3,})\{glossary\}([^\n]*)\n(.*?)^\1", block, text, flags=re.M | re.S)


def references_page(text: str, book: Book) -> str:
    """The list of references written out for JupyterLab, in place of the ``{bibliography}`` directive."""
    entries = []
    for key in sorted(book.bib, key=lambda k: (book.bib[k]["last_names"][:1], book.bib[k]["year"], k)):
        entry = book.bib[key]
        entries.append(f"({key})=\n{book.cite_label(key, False)}\n: {entry['text']}\n")
    block = BIB_BEGIN + "\n\n" + "\n".join(entries) + "\n" + BIB_END
    pattern = re.compile(re.escape(BIB_BEGIN) + r".*?" + re.escape(BIB_END), re.S)
    if pattern.search(text):
        return pattern.sub(lambda m: block, text)
    directive = re.compile(r"^(`{3,}|:{3,})\{bibliography\}[^\n]*\n(?:.*?\n)?\1[ \t]*$", re.M | re.S)
    if directive.search(text):
        return directive.sub(lambda m: block, text)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def gated_to_solutions(nb: dict) -> dict:
    """Old gated solutions (solution-start, code cells, solution-end) as one ``{solution}`` cell (idempotent)."""
    pieces = []  # (kind, payload, source cell)
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            pieces.append(("cell", cell, cell))
            continue
        text, position = cell_text(cell), 0
        marks = sorted([(m.start(), m.end(), "start", m) for m in SOLUTION_START.finditer(text)]
                       + [(m.start(), m.end(), "end", m) for m in SOLUTION_END.finditer(text)], key=lambda t: t[0])
        if not marks:
            pieces.append(("cell", cell, cell))
            continue
        for start, end, kind, m in marks:
            if text[position:start].strip():
                pieces.append(("md", text[position:start], cell))
            pieces.append((kind, m, cell))
            position = end
        if text[position:].strip():
            pieces.append(("md", text[position:], cell))
    cells, open_solution, used_ids = [], None, set()

    def add(cell):
        cell_id = cell.get("id")
        if cell_id in used_ids or cell_id is None:
            cell["id"] = _cell_id(hashlib.sha1(cell_text(cell).encode()).hexdigest()[:12] + f"-{len(cells)}")
        used_ids.add(cell["id"])
        cells.append(cell)

    for kind, payload, source in pieces:
        if open_solution is not None:
            if kind == "end":
                label, options, parts, first = open_solution
                body = options + "\n" + "\n\n".join(p.strip("\n") for p in parts if p.strip())
                colons = ":" * max(4, 1 + max([len(f) for f in re.findall(r"^(:{3,})", body, re.M)] or [0]))
                text = f"{colons}{{solution}} {label}\n{body.rstrip()}\n{colons}"
                add({"cell_type": "markdown", "id": _cell_id(f"solution-{label}"), "metadata": {}, "source": text})
                open_solution = None
            elif kind == "md":
                open_solution[2].append(payload)
            elif kind == "cell" and payload["cell_type"] == "code":
                code = cell_text(payload).rstrip("\n")
                ticks = "`" * max(3, 1 + max([len(t) for t in re.findall(r"`{3,}", code)] or [0]))
                open_solution[2].append(f"{ticks}python\n{code}\n{ticks}")
            elif kind == "cell":
                open_solution[2].append(cell_text(payload))
            continue
        if kind == "start":
            open_solution = (payload.group("label"), payload.group("opts"), [], source)
        elif kind == "md":
            new = copy.deepcopy(source)
            new["source"] = payload.strip("\n")
            add(new)
        elif kind == "cell":
            add(copy.deepcopy(payload))
    if open_solution is not None:
        raise ValueError(f"solution {open_solution[0]} has no solution-end")
    nb = dict(nb)
    nb["cells"] = cells
    return nb


ANY_SOLUTION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
                          re.M | re.S)


def separate_solutions(nb: dict) -> dict:
    """Each ``{solution}`` in a Markdown cell of its own, colon-fenced (so that it can hold code blocks)."""
    cells = []
    for cell in nb["cells"]:
        text = cell_text(cell) if cell["cell_type"] == "markdown" else ""
        matches = list(ANY_SOLUTION.finditer(text))
        if not matches or (len(matches) == 1 and matches[0].group("fence")[0] == ":"
                           and not text[:matches[0].start()].strip() and not text[matches[0].end():].strip()):
            cells.append(cell)
            continue
        position, first = 0, True
        for m in matches:
            before = text[position:m.start()]
            if before.strip():
                piece = copy.deepcopy(cell) if first else _markdown(before, f"{cell.get('id', 'c')}-{m.start()}")
                piece["source"] = before.strip("\n")
                cells.append(piece)
                first = False
            fence = m.group("fence") if m.group("fence")[0] == ":" else "::::"
            body = m.group("body").rstrip("\n")
            solution = {"cell_type": "markdown", "id": _cell_id(f"solution-{m.group('label')}"), "metadata": {},
                        "source": f"{fence}{{solution}} {m.group('label')}\n{body}\n{fence}"}
            if first:
                solution["id"] = cell.get("id", solution["id"])
                first = False
            cells.append(solution)
            position = m.end()
        after = text[position:]
        if after.strip():
            cells.append(_markdown(after, f"{cell.get('id', 'c')}-after"))
    nb = dict(nb)
    nb["cells"] = cells
    return nb


def split_title_cell(nb: dict) -> dict:
    """A first cell ``(label)=`` + ``# title`` becomes two cells, so that JupyterLab typesets the title's math."""
    cells = nb["cells"]
    if not cells or cells[0]["cell_type"] != "markdown":
        return nb
    m = re.match(r"\A\s*\((?P<label>[A-Za-z0-9_.:-]+)\)=[ \t]*\n(?P<rest>#[^\n]*(?:\n.*)?)\Z", cell_text(cells[0]), re.S)
    if not m:
        return nb
    first = copy.deepcopy(cells[0])
    first["source"] = f"({m.group('label')})="
    second = copy.deepcopy(cells[0])
    second["id"] = _cell_id(f"title-{m.group('label')}")
    second["source"] = m.group("rest")
    nb = dict(nb)
    nb["cells"] = [first, second] + cells[1:]
    return nb


def mark_exercise_cells(nb: dict) -> dict:
    """The code cell that follows an exercise is the reader's: it says so on its first line."""
    cells, exercise = nb["cells"], None
    for cell in cells:
        if cell["cell_type"] == "markdown":
            m = EXERCISE.search(cell_text(cell))
            exercise = m.group("arg").split()[0] if m and m.group("arg").strip() else None
            continue
        if exercise and cell["cell_type"] == "code":
            text = cell_text(cell)
            if not text.startswith("# Your answer to exercise"):
                cell["source"] = f"# Your answer to exercise {exercise}\n" + text
        exercise = None
    return nb


def convert_notebook(nb: dict, doc: str, book: Book, problems: list[str]) -> dict:
    nb = split_title_cell(separate_solutions(gated_to_solutions(nb)))
    nb = mark_exercise_cells(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = roles_to_links(cell_text(cell), doc, book, problems)
        cell["source"] = cell_text(cell)
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = language_info()
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    for n, cell in enumerate(nb["cells"]):
        cell.setdefault("id", _cell_id(f"cell-{n}"))
    return nb


def dump_notebook(nb: dict) -> str:
    """The notebook as JupyterLab writes it (so that saving it unchanged changes nothing)."""
    for cell in nb["cells"]:
        text = cell_text(cell)
        cell["source"] = text.splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def convert_markdown(text: str, doc: str, book: Book, problems: list[str]) -> str:
    text = roles_to_links(text, doc, book, problems)
    if doc == GLOSSARY:
        text = glossary_to_deflist(text)
    if doc == REFERENCES:
        text = references_page(text, book)
    return text


def convert_all(root: Path = ROOT, write: bool = True) -> tuple[list[str], list[str]]:
    """Convert every chapter and page under ``root``; return (files that changed or would change, problems)."""
    root = Path(root)
    changed, problems = [], []
    book = Book(root)  # what the book defines does not change by converting: labels, titles, terms, keys stay
    for path in sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("book/*.md")):
        doc = path.relative_to(root).as_posix()
        old = path.read_text()
        if path.suffix == ".ipynb":
            new = dump_notebook(convert_notebook(json.loads(old), doc, book, problems))
        else:
            new = convert_markdown(old, doc, book, problems)
        if new != old:
            changed.append(doc)
            if write:
                path.write_text(new)
    return changed, problems


if __name__ == "__main__":  # pragma: no cover - the command line is tools/convert_notebooks.py
    import sys

    sys.exit(os.system(f"{sys.executable} {ROOT / 'tools' / 'convert_notebooks.py'} " + " ".join(sys.argv[1:])))
