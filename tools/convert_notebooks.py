#!/usr/bin/env python3
"""Bring every chapter and page into the form that both JupyterLab and the strict website build follow.

    python tools/convert_notebooks.py          # convert in place (idempotent: safe to run again at any time)
    python tools/convert_notebooks.py --check  # change nothing; exit 1 and list the files that need converting
    python tools/convert_notebooks.py --plain DIR  # write the copies for any Jupyter to DIR/notebooks/ (no MyST)

What it does (the conventions are in CONTRIBUTING.md, "Notebook conventions"):
- `{term}`, `{ref}`, `{doc}`, `{cite:t}`, `{cite:p}` roles become Markdown links to the glossary entry, the labelled
  chapter or exercise, the page, the entry of the list of references; a link whose text is a chapter title
  ("4. The forget gate $f_t$") follows that title;
- gated solutions (`{solution-start}`, code cells, `{solution-end}`) become one `{solution}` dropdown cell whose
  code is in ```python blocks (the book's build runs them, JupyterLab does not);
- the chapter label gets a cell of its own before the title; the reader's cell after an exercise says so;
- kernelspec "Python 3 (ipykernel)", nbformat 4.5 with cell ids, JSON as JupyterLab writes it;
- the glossary becomes a definition list, and the list of references is written out from references.bib;
- the first code cell installs the book's package where it is missing (book/_ext/notebook_install_cell.py).
--plain writes what the launch buttons and the download button open (book/_ext/notebook_plain.py): exercises as
headings, solutions as closed <details>, links to the website (html.baseurl in _config.yml), and, with
repository.url set, a requirements.txt that installs the book's package (Binder reads it).
The build turns all of this back into what Sphinx checks: book/_ext/notebook_links.py (the Sphinx extension).
The work is done in book/_ext: notebook_links_convert.py here, notebook_links_build.py for --build-form.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from notebook_links_build import to_sphinx  # noqa: E402
from notebook_links_common import Book  # noqa: E402
from notebook_links_convert import convert_all  # noqa: E402
from notebook_install_cell import book_source  # noqa: E402
from notebook_plain import write_plain_notebooks  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a file needs converting")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder (default: this repository)")
    parser.add_argument("--build-form", type=Path, metavar="NOTEBOOK",
                        help="print NOTEBOOK as the book's build reads it (solutions as code cells), e.g. to run its "
                             "solutions under nbval: ... --build-form notebooks/04_forget_gate.ipynb > /tmp/04.ipynb")
    parser.add_argument("--plain", type=Path, metavar="DIR",
                        help="write the chapters for Jupyter front ends without MyST to DIR/notebooks/")
    args = parser.parse_args(argv)
    if args.plain:
        import yaml

        config = yaml.safe_load((args.root / "_config.yml").read_text()) or {}
        site = (config.get("html") or {}).get("baseurl") or ""
        for path in write_plain_notebooks(Book(args.root), args.plain, site):
            print("wrote:", path)
        version, published = book_source(args.root)
        if published:  # Binder installs it (and the widgets' JupyterLab extension) before JupyterLab starts
            (args.plain / "requirements.txt").write_text(published + "\n")
        return 0
    if args.build_form:
        path = args.build_form.resolve()
        problems: list[str] = []
        book = Book(args.root)
        print(to_sphinx(path.relative_to(args.root.resolve()).as_posix(), path.read_text(), book, problems))
        for problem in problems:
            print("unresolved:", problem, file=sys.stderr)
        return 1 if problems else 0
    changed, problems = convert_all(args.root, write=not args.check)
    for problem in problems:
        print("unresolved:", problem, file=sys.stderr)
    for doc in changed:
        print(("needs converting: " if args.check else "converted: ") + doc)
    if problems or (args.check and changed):
        if args.check and changed:
            print("run: python tools/convert_notebooks.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
