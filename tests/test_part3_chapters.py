"""The anatomy of Part III's chapters (10-11), as tests/test_notebooks.py checks Part I's: the diagram, the code
shown from the package, at least three exercises with checkers and hidden solutions, a hand-worked example compared
by nbval, the length of the explanation, citations and glossary links, hidden checks of the numbers, and trainings
that show one progress bar each, never a wall of output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PART_THREE = {  # file -> (label, functions shown from the package, checkers of the exercises)
    "10_training": ("ch-training", ("readout", "cross_entropy", "squared_error", "Adam", "network_forward",
                                    "network_backward", "train"),
                    ("check_uniform_cross_entropy", "check_constant_gradient_step", "check_forget_bias",
                     "check_forget_bias_run", "check_temperature_gradient")),
    "11_what_each_gate_is_worth": ("ch-gate-ablations", ("lstm_family_forward", "lstm_family_backward",
                                                         "gru_forward"),
                                   ("check_coupled_cell_state", "check_gru_hidden_state",
                                    "check_peephole_forget_gate", "check_matching_size", "check_matching_size_run",
                                    "check_coupled_memory_backward")),
}


def cells(name):
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())["cells"]


def text_of(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("name", sorted(PART_THREE))
def test_part_three_chapter_has_its_anatomy(name):
    assert_anatomy(name, *PART_THREE[name])


def assert_anatomy(name, label, functions, checkers, most_words=4000):
    """The anatomy of a chapter of Parts III and IV (tests/test_part4_chapters.py uses it too)."""
    nb = cells(name)
    text = "\n".join(text_of(c) for c in nb if c["cell_type"] == "markdown")
    program = "\n".join(text_of(c) for c in nb if c["cell_type"] == "code")
    assert text_of(nb[0]).startswith(f"({label})=")
    assert "draw_cell(" in program, "opens with the cell diagram"
    for function in functions:
        assert re.search(rf"show_source\([^)]*\b{function}\b", program), f"shows {function} from the package"
    for checker in checkers:
        assert f"{checker}(my_" in program, f"an exercise uses {checker}"
    exercises = re.findall(r"```\{exercise\}", text)
    assert len(exercises) >= 3
    for label_ in re.findall(r":label:\s*(ex-[\w-]+)", text):
        assert re.search(rf"\{{solution(-start)?\}}\s*{label_}", text), f"exercise {label_} has no solution"
    # the explanation: the text without the exercises and their solutions (whose code would count as words)
    explanation = "\n".join(text_of(c) for c in nb if c["cell_type"] == "markdown"
                            and not text_of(c).lstrip().startswith(("```{exercise}", "::::{solution}")))
    words = len(re.findall(r"[A-Za-z]+", re.sub(r"\]\([^)]*\)", "]", explanation)))   # link targets are not prose
    assert 1500 <= words <= most_words, f"{words} words of explanation"
    assert re.search(r"\{cite:[tp]\}|\(\.\./book/references\.md#", text), "it cites the bibliography"
    assert "{term}" in text or "(../book/glossary.md#term-" in text, "it links its terms to the glossary"
    assert "## Summary" in text and "## Exercises" in text and "## References" in text
    hidden = [c for c in nb if c["cell_type"] == "code" and "remove-input" in c["metadata"].get("tags", [])]
    checks = [c for c in hidden if "assert" in text_of(c)]
    assert len(checks) >= 3, "the numbers of the text are checked, hidden from the page"
    assert all("hide-input" not in c["metadata"].get("tags", []) for c in nb), \
        "hide-input's 'Show code' toggle fails the accessibility check (axe: label-content-name-mismatch)"
    assert any("NBVAL_CHECK_OUTPUT" in text_of(c) for c in nb), "a hand-worked example is compared by nbval"


@pytest.mark.parametrize("name", sorted(PART_THREE))
def test_training_shows_progress_bars_not_logs(name):
    """Every training the chapter runs shows its progress bar (one line each, updated in place)."""
    program = "\n".join(text_of(c) for c in cells(name) if c["cell_type"] == "code")
    assert re.search(r"\b(train|run_experiments)\(", program) and "progress=False" not in program


def test_chapter_eleven_runs_the_quick_experiments_of_the_command_line():
    program = "\n".join(text_of(c) for c in cells("11_what_each_gate_is_worth") if c["cell_type"] == "code")
    assert "run_experiments(QUICK, out=out)" in program and "json.loads(out.read_text())" in program
    text = "\n".join(text_of(c) for c in cells("11_what_each_gate_is_worth") if c["cell_type"] == "markdown")
    assert "python -m lstm_book.teaching.experiments --quick --out results.json" in text
    readme = (ROOT / "README.md").read_text()
    assert "python -m lstm_book.teaching.experiments --quick --out results.json" in readme
