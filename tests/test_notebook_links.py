"""The links of the chapters and pages: stored as JupyterLab follows them, resolved as the strict build checks them.

`tools/convert_notebooks.py --check` must find nothing to convert, and every link into the book must lead to what it
names: the file exists, the label is defined in that file, the glossary has the term, references.bib has the key.
Each check is proven by a broken copy of the book that it must reject.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import notebook_links_build as build  # noqa: E402
import notebook_links_common as common  # noqa: E402
import notebook_links_convert as convert  # noqa: E402

PAGES = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("book/*.md"))


def problems_of(root: Path) -> list[str]:
    book = common.Book(root)
    found = []
    for path in sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("book/*.md")):
        found += build.check_links(common.document_text(path), path.relative_to(root).as_posix(), book)
    return found


def test_every_page_is_in_the_converted_form():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "convert_notebooks.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_link_resolves():
    assert problems_of(ROOT) == []


def test_the_links_are_the_books_own():
    book = common.Book(ROOT)
    text = "\n".join(common.document_text(p) for p in PAGES)
    assert len(book.terms) >= 30 and "term-forget-gate" in book.terms
    assert {"ch-overview", "ch-forget-gate", "notation", "glossary"} <= set(book.labels)
    assert "jozefowicz2015empirical" in book.bib
    assert text.count("../book/glossary.md#term-") >= 100
    assert text.count("../book/references.md#") >= 30


@pytest.fixture
def copy(tmp_path):
    for name in ("notebooks", "book"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("_ext", "*.ipynb_checkpoints"))
    return tmp_path


def edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, expected", [
    ("../book/glossary.md#term-forget-gate", "../book/glossary.md#term-forgot-gate", "no term with the anchor"),
    ("(../book/references.md#gers2000forget)", "(../book/references.md#gers2000forgot)", "not a key of"),
    ("(03_cell_state.ipynb#ch-cell-state)", "(02_output_gate.ipynb#ch-cell-state)", "no label 'ch-cell-state' in"),
    ("(03_cell_state.ipynb#ch-cell-state)", "(03_cell_stat.ipynb#ch-cell-state)", "no such file"),
    ("(03_cell_state.ipynb#ch-cell-state)", "(#ch-cell-state)", "write the file too"),
])
def test_a_broken_link_is_found(copy, old, new, expected):
    edit(copy / "notebooks" / "04_forget_gate.ipynb", old, new)
    found = problems_of(copy)
    assert len(found) == 1 and expected in found[0], found


def test_a_role_is_found_and_converted(copy):
    nb = copy / "notebooks" / "04_forget_gate.ipynb"
    edit(nb, "[forget gate](../book/glossary.md#term-forget-gate)", "{term}`forget gate`")
    edit(nb, "[Gers et al. (2000)](../book/references.md#gers2000forget)", "{cite:t}`gers2000forget`")
    assert any("a role JupyterLab cannot follow" in p for p in problems_of(copy))
    changed, problems = convert.convert_all(copy, write=False)
    assert changed == ["notebooks/04_forget_gate.ipynb"] and not problems
    convert.convert_all(copy)
    assert problems_of(copy) == [] and nb.read_text() == (ROOT / "notebooks" / "04_forget_gate.ipynb").read_text()


def test_the_conversion_of_old_style_is_idempotent(copy):
    """A chapter written the old way (roles, gated solutions, label and title in one cell, kernelspec "Python 3")
    comes out in the stored form, and a second run changes nothing."""
    path = copy / "notebooks" / "04_forget_gate.ipynb"
    nb = json.loads(path.read_text())
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3"
    nb["cells"][0]["source"] = "(ch-forget-gate)=\n" + "".join(nb["cells"][1]["source"])
    del nb["cells"][1]
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        text = text.replace("[leaky integrator](../book/glossary.md#term-leaky-integrator)", "{term}`leaky integrator`")
        text = text.replace("[chapter 6](06_input_state.ipynb#ch-input-state)", "{ref}`chapter 6 <ch-input-state>`")
        text = text.replace("([Bengio et al., 1994](../book/references.md#bengio1994learning))", "{cite:p}`bengio1994learning`")
        cell["source"] = text
    solution = next(n for n, c in enumerate(nb["cells"]) if "".join(c["source"]).startswith("::::{solution} ex-forget-1"))
    nb["cells"][solution:solution + 1] = [
        {"cell_type": "markdown", "id": "s1", "metadata": {},
         "source": "```{solution-start} ex-forget-1\n:class: dropdown\n```\nTwo matrix products:"},
        {"cell_type": "code", "id": "s2", "metadata": {"jupyter": {"source_hidden": True}}, "execution_count": None,
         "outputs": [], "source": "def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):\n    return 0"},
        {"cell_type": "markdown", "id": "s3", "metadata": {}, "source": "```{solution-end}\n```"},
    ]
    path.write_text(json.dumps(nb, indent=1))
    changed, problems = convert.convert_all(copy)
    assert changed == ["notebooks/04_forget_gate.ipynb"] and not problems
    converted = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in converted["cells"])
    assert "{term}" not in text and "{ref}" not in text and "{cite" not in text and "solution-start" not in text
    assert "::::{solution} ex-forget-1\n:class: dropdown\n\nTwo matrix products:\n\n```python\ndef my_forget_gate" in text
    assert "".join(converted["cells"][0]["source"]) == "(ch-forget-gate)="
    assert converted["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert convert.convert_all(copy) == ([], []), "a second run changes nothing"
    assert problems_of(copy) == []


def test_the_build_gets_roles_and_runnable_solutions():
    """What Sphinx reads: the links as roles (which it checks), each solution's code as cells of a gated solution."""
    book = common.Book(ROOT)
    problems: list[str] = []
    doc = "notebooks/04_forget_gate.ipynb"
    nb = json.loads(build.to_sphinx(doc, (ROOT / doc).read_text(), book, problems))
    assert problems == []
    text = "\n".join(common.cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "{term}`forget gate`" in text and "{cite:t}`gers2000forget`" in text
    assert "](../book/" not in text
    starts = [n for n, c in enumerate(nb["cells"]) if "{solution-start} ex-forget-1" in common.cell_text(c)]
    assert len(starts) == 1
    code = nb["cells"][starts[0] + 1]
    assert code["cell_type"] == "code" and "check_forget_gate(my_forget_gate)" in common.cell_text(code)
    assert "{solution-end}" in common.cell_text(nb["cells"][starts[0] + 2])
    glossary = build.to_sphinx("book/glossary.md", (ROOT / "book/glossary.md").read_text(), book, problems)
    assert "\nforget gate\n  $f_t" in glossary and "\n: " not in glossary
    references = build.to_sphinx("book/references.md", (ROOT / "book/references.md").read_text(), book, problems)
    assert "```{bibliography}" in references and common.BIB_BEGIN not in references


def test_the_strict_build_fails_on_a_broken_link_or_solution(tmp_path):
    """The build's guarantee survives the new form: a wrong term, label or citation key fails `-W -n`, and so does a
    solution whose code raises (its python block runs at build time). One tiny book, built once."""
    for name in ("_config.yml", "book", "lstm_book"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/glossary\n"
                                       "  - file: book/references\n  - file: notebooks/99_solution\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "99_solution.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# 99. A chapter\n\n```{exercise} 99.1\n"
                   ":label: ex-99-1\n:nonumber:\n\nDivide.\n```"},
                  {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "::::{solution} ex-99-1\n:class: dropdown\n\n"
                   "Like this:\n\n```python\nanswer = 1 / 0\n```\n::::"}],
        "metadata": {"kernelspec": convert.KERNELSPEC}, "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / "book" / "intro.md").write_text(
        "# Intro\n\nA [good term](glossary.md#term-forget-gate), a [bad term](glossary.md#term-forgot-gate),\n"
        "a [bad label](glossary.md#no-such-label), a [bad key](references.md#nobody2099) and\n"
        "a [good key](references.md#gers2000forget).\n")
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    result = subprocess.run([jupyter_book, "build", str(tmp_path), "-W", "-n", "--keep-going"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "broken links did not fail the strict build"
    assert "term-forgot-gate" in log and "no-such-label" in log and "nobody2099" in log, log[-3000:]
    assert "ZeroDivisionError" in log, "the solution's code did not run at build time"
    assert "term-forget-gate" not in log.replace("term-forgot-gate", "") and "gers2000forget" not in log, log[-3000:]
