"""What authors may write -> stored form: run by ``tools/convert_notebooks.py`` (idempotent: run it again after every
merge), never by the build.

``{term}``, ``{ref}``, ``{doc}``, ``{cite:t}``, ``{cite:p}`` roles become Markdown links that JupyterLab follows (the
inverse of ``links_to_roles`` in ``notebook_links_build.py``), gated solutions become one ``{solution}`` cell whose code
is in ``python`` blocks, the chapter label gets a cell of its own, the reader's cell after an exercise says so, the
glossary becomes a definition list, the list of references is written out from ``references.bib``, and the notebook
JSON is written as JupyterLab writes it; the install cell (``notebook_install_cell.py``) is the first code cell.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

from notebook_install_cell import with_install_cell
from notebook_links_common import (
    BIB_BEGIN, BIB_END, EXERCISE, GLOSSARY, LINK, REFERENCES, ROLE, ROOT, Book, cell_text, is_external, make_cell_id,
    map_prose, markdown_cell, relative, resolve, split_target, term_anchor, with_cells,
)

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict:
    """What the kernel reports when JupyterLab opens a notebook; a notebook that stores anything else is marked
    changed on open. The version is this interpreter's (run the script with the book's .venv/bin/python)."""
    import platform

    return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3", "version": platform.python_version()}


SOLUTION_START = re.compile(r"^(?P<fence>`{3,})\{solution-start\}[ \t]*(?P<label>\S+)[ \t]*\n(?P<opts>(?::[^\n]*\n)*)(?P=fence)[ \t]*(?:\n|$)", re.M)
SOLUTION_END = re.compile(r"^(?P<fence>`{3,})\{solution-end\}[ \t]*\n(?P=fence)[ \t]*(?:\n|$)", re.M)


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
            cell["id"] = make_cell_id(hashlib.sha1(cell_text(cell).encode()).hexdigest()[:12] + f"-{len(cells)}")
        used_ids.add(cell["id"])
        cells.append(cell)

    for kind, payload, source in pieces:
        if open_solution is not None:
            if kind == "end":
                label, options, parts, first = open_solution
                body = options + "\n" + "\n\n".join(p.strip("\n") for p in parts if p.strip())
                colons = ":" * max(4, 1 + max([len(f) for f in re.findall(r"^(:{3,})", body, re.M)] or [0]))
                text = f"{colons}{{solution}} {label}\n{body.rstrip()}\n{colons}"
                add({"cell_type": "markdown", "id": make_cell_id(f"solution-{label}"), "metadata": {}, "source": text})
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
    return with_cells(nb, cells)


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
                piece = copy.deepcopy(cell) if first else markdown_cell(before, f"{cell.get('id', 'c')}-{m.start()}")
                piece["source"] = before.strip("\n")
                cells.append(piece)
                first = False
            fence = m.group("fence") if m.group("fence")[0] == ":" else "::::"
            body = m.group("body").rstrip("\n")
            solution = {"cell_type": "markdown", "id": make_cell_id(f"solution-{m.group('label')}"), "metadata": {},
                        "source": f"{fence}{{solution}} {m.group('label')}\n{body}\n{fence}"}
            if first:
                solution["id"] = cell.get("id", solution["id"])
                first = False
            cells.append(solution)
            position = m.end()
        after = text[position:]
        if after.strip():
            cells.append(markdown_cell(after, f"{cell.get('id', 'c')}-after"))
    return with_cells(nb, cells)


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
    second["id"] = make_cell_id(f"title-{m.group('label')}")
    second["source"] = m.group("rest")
    return with_cells(nb, [first, second] + cells[1:])


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
    nb = with_install_cell(mark_exercise_cells(nb), book.root)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = roles_to_links(cell_text(cell), doc, book, problems)
        cell["source"] = cell_text(cell)
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = language_info()
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    for n, cell in enumerate(nb["cells"]):
        cell.setdefault("id", make_cell_id(f"cell-{n}"))
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

