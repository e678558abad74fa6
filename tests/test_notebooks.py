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
import lstm_book.exercises
import lstm_book.explorers
import lstm_book.plots

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
    assert names == {"00_lstm_at_a_glance", *CHAPTERS, *part_two, *part_three}
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
    import lstm_book.backward, lstm_book.exercises_backward, lstm_book.fast, lstm_book.learning, lstm_book.rnn  # noqa: E401

    public = {name for module in (lstm_book.equations, lstm_book.cell, lstm_book.exercises, lstm_book.explorers,
                                  lstm_book.plots, lstm_book.tasks, lstm_book.fast, lstm_book.backward,
                                  lstm_book.rnn, lstm_book.learning, lstm_book.exercises_backward)
              for name in module.__all__}
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
        assert re.search(rf"\{{solution(-start)?\}}\s*{label}", text), f"exercise {label} has no solution"
    assert ":class: dropdown" in text, "solutions are hidden"
    words = len(re.findall(r"[A-Za-z]+", text))
    assert words >= 1200, f"{words} words of explanation; the chapters need about 1,200-2,500"
    assert re.search(r"\{cite:[tp]\}", text), "it cites the bibliography"
    assert "{term}" in text, "it links its terms to the glossary"


def test_solution_cells_are_collapsed_in_jupyterlab():
    for path in NOTEBOOKS:
        cells = load(path)["cells"]
        inside = False
        for cell in cells:
            text = source(cell)
            if cell["cell_type"] == "markdown":
                if "{solution-start}" in text:
                    inside = True
                if "{solution-end}" in text:
                    inside = False
            elif inside:
                assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{path.name}: a solution cell is not collapsed"
