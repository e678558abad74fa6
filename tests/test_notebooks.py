"""The chapters as files: hygiene, anatomy and the single-source rule.

nbval runs the notebooks themselves (see pyproject.toml: `--nbval-lax` over `notebooks/`); these tests check
what nbval cannot: that compared cells really have something to compare, that nothing else carries committed
output, that no chapter pastes a copy of the package's code, and that each chapter has its anatomy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import lstm_book
import lstm_book.teaching.checkers
import lstm_book.teaching.explorers
import lstm_book.teaching.figures

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = {  # file -> (part of the diagram, function of the chapter, checker)
    "01_hidden_state": ("h", "hidden_state", "check_hidden_state"),
    "02_output_gate": ("o", "output_gate", "check_output_gate"),
    "03_cell_state": ("c", "cell_state", "check_cell_state"),
    "04_forget_gate": ("f", "forget_gate", "check_forget_gate"),
    "05_input_gate": ("j", "input_gate", "check_input_gate"),
    "06_input_state": ("i", "input_state", "check_input_state"),
}
MARK = "NBVAL_CHECK_OUTPUT"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(nb) -> str:
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def code(nb) -> str:
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")


def test_every_chapter_is_there_and_in_the_table_of_contents():
    names = {p.stem for p in NOTEBOOKS}
    part_two = {"07_one_matrix_product", "08_backward_pass", "09_gradients_through_time"}  # tests/test_part2_chapters.py
    part_three = {"10_training", "11_what_each_gate_is_worth"}  # tests/test_part3_chapters.py
    part_four = {"12_charlm", "13_what_the_units_learned", "14_how_far_back"}  # tests/test_part4_chapters.py
    assert names == {"00_lstm_at_a_glance", *CHAPTERS, *part_two, *part_three, *part_four}
    toc = (ROOT / "_toc.yml").read_text()
    for name in names:
        assert f"notebooks/{name}" in toc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_committed_only_where_nbval_compares_them(path):
    nb = load(path)
    checked = 0
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if MARK in source(cell):
            checked += 1
            assert cell["outputs"], f"cell {n} is marked {MARK} but has no stored output: nbval would compare nothing"
            assert cell["execution_count"] is not None, f"cell {n} is marked {MARK} but has no execution count"
        else:
            assert not cell["outputs"], f"cell {n} has committed output that nbval does not check"
            assert cell["execution_count"] is None, f"cell {n} has a stale execution count"
    assert checked >= 1, "each chapter compares at least its hand-worked example"
    assert "widgets" not in nb["metadata"], "no committed widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_chapter_pastes_a_copy_of_the_package(path):
    import importlib
    import pkgutil

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(lstm_book.__path__, "lstm_book.")]
    public = {name for module in modules for name in getattr(module, "__all__", ())}
    assert {"lstm_forward", "train", "check_forget_gate", "gate_explorer", "draw_cell"} <= public
    defined = set(re.findall(r"^\s*(?:def|class)\s+(\w+)", code(load(path)), flags=re.M))
    assert not defined & public, f"{path.name} defines its own copy of {sorted(defined & public)}: import it instead"
    assert "lstm_book" in code(load(path))


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_each_equation_chapter_has_its_anatomy(name):
    part, function, checker = CHAPTERS[name]
    nb = load(ROOT / "notebooks" / f"{name}.ipynb")
    text, program = markdown(nb), code(nb)
    assert re.search(rf"draw_cell\((highlight=)?[\"']{part}[\"']\)", program), "opens with the diagram, its part highlighted"
    assert re.search(rf"show_source\([^)]*\b{function}\b", program), "shows its function from the package"
    assert checker in program, "its first exercise uses its checker"
    assert "explorer" in program, "it has an explorer"
    exercises = re.findall(r"```\{exercise\}", text)
    assert len(exercises) >= 3, f"at least three exercises, found {len(exercises)}"
    labels = re.findall(r":label:\s*(ex-[\w-]+)", text)
    for label in labels:
        assert re.search(rf"\{{solution\}}\s*{label}", text), f"exercise {label} has no solution"
    assert ":class: dropdown" in text, "solutions are hidden"
    words = len(re.findall(r"[A-Za-z]+", text))
    assert words >= 1200, f"{words} words of explanation; the chapters need about 1,200-2,500"
    assert re.search(r"\]\(\.\./book/references\.md#\w+\)", text), "it cites the bibliography"
    assert re.search(r"\]\(\.\./book/glossary\.md#term-[\w-]+\)", text), "it links its terms to the glossary"


SOLUTION = re.compile(r"^(:{3,})\{solution\}[ \t]*(\S+)[ \t]*\n(.*?)^\1[ \t]*$", re.M | re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_are_closed_dropdowns_that_never_run_in_jupyterlab(path):
    """A solution is one Markdown cell, a closed dropdown; its code is in ```python blocks that only the book's build
    runs (book/_ext/notebook_links.py), so Run All in JupyterLab can neither show an answer nor print a verdict."""
    nb = load(path)
    exercises = set()
    for n, cell in enumerate(nb["cells"]):
        text = source(cell)
        assert "{solution-start}" not in text and "{solution-end}" not in text, (
            f"cell {n}: a gated solution; run tools/convert_notebooks.py")
        if cell["cell_type"] != "markdown":
            continue
        exercises.update(re.findall(r"^```\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(\S+)", text, re.M))
        for fence, label, body in SOLUTION.findall(text):
            assert re.search(r"^:class:.*\bdropdown\b", body, re.M), f"cell {n}: solution {label} is not a dropdown"
            assert text.lstrip().startswith(fence + "{solution}"), f"cell {n}: the solution {label} shares its cell"
    solved = {label for cell in nb["cells"] for _, label, _ in SOLUTION.findall(source(cell))}
    assert exercises <= solved, f"exercises without a solution: {sorted(exercises - solved)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_readers_cell_of_each_exercise_says_so(path):
    cells = load(path)["cells"]
    for n, cell in enumerate(cells[:-1]):
        if cell["cell_type"] == "markdown" and "{exercise}" in source(cell) and cells[n + 1]["cell_type"] == "code":
            number = re.search(r"\{exercise\}[ \t]*(\S+)", source(cell)).group(1)
            assert re.match(rf"# Your answer to exercise {re.escape(number)}(\n|$)", source(cells[n + 1])), f"cell {n + 1}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupyterlab_opens_it_unchanged(path):
    """JupyterLab rewrites an older kernelspec name, and the language_info the kernel reports (Python's version
    included), on open: a notebook that stores anything else shows unsaved changes right away."""
    import platform

    nb = load(path)
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    info = nb["metadata"].get("language_info", {})
    assert info.get("name") == "python" and info.get("pygments_lexer") == "ipython3", "run tools/convert_notebooks.py"
    assert info.get("version") == platform.python_version(), (
        f"stored for Python {info.get('version')}, the kernel is {platform.python_version()}: run tools/convert_notebooks.py")
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5)
    ids = [cell.get("id") for cell in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), "every cell has its own id"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_title_cell_comes_after_the_label_cell(path):
    """A first cell that starts with the title loses the title's math in JupyterLab (jupyterlab-myst makes it the
    page's plain-text title); a cell holding only the label, then the title cell, keeps it."""
    first, second = (source(c) for c in load(path)["cells"][:2])
    assert re.fullmatch(r"\((ch-[\w-]+)\)=\s*", first), "the first cell holds only the chapter label"
    assert re.match(r"# \d+\. ", second), "the second cell starts with the numbered title"
