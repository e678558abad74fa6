"""Shared by both directions of the notebook links (see ``notebook_links.py``): the book's paths, the regexes of
links, roles, labels, headings and exercises, the helpers that walk Markdown outside code blocks, and ``Book``, the
labels, chapter titles, glossary terms and bibliography keys that the book defines.

Used when Sphinx reads a page (``notebook_links_build.py``: stored form -> what Sphinx checks) and by
``tools/convert_notebooks.py`` (``notebook_links_convert.py``: what authors may write -> stored form).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = "book/glossary.md"
REFERENCES = "book/references.md"
BIBFILE = "book/references.bib"

BIB_BEGIN = "<!-- references: begin (generated from references.bib by tools/convert_notebooks.py; the website shows the {bibliography} directive instead) -->"
BIB_END = "<!-- references: end -->"

# A Markdown link (not an image) whose target has no spaces: text may hold math and one level of brackets.
LINK = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\((?P<target>[^()\s]+)\)")
ROLE = re.compile(r"\{(?P<role>term|ref|doc|cite:t|cite:p|cite)\}`(?P<body>[^`]+)`")
TARGET = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=[ \t]*$", re.M)
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t]*$", re.M)
EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<arg>[^\n]*)\n(?P<opts>(?::[^\n]*\n)*)", re.M)


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


def document_text(path: Path) -> str:
    """The Markdown of a page, or of all Markdown cells of a notebook."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text())
        return "\n\n".join(cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    return path.read_text()


# ------------------------------------------------------------------- new cells, with ids that stay the same

def with_cells(nb: dict, cells: list[dict]) -> dict:
    """A copy of the notebook ``nb`` (its metadata shared) with ``cells`` in place of its cells."""
    nb = dict(nb)
    nb["cells"] = cells
    return nb


def markdown_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": make_cell_id(cell_id), "metadata": {}, "source": text.strip("\n") + "\n"}


def make_cell_id(seed: str) -> str:
    return seed if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", seed) else hashlib.sha1(seed.encode()).hexdigest()[:16]


