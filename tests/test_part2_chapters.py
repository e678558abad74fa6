"""The anatomy of Part II's chapters (7-9), as tests/test_notebooks.py checks Part I's: the diagram, the code shown
from the package, an explorer, at least three exercises with hidden solutions (the first with its checker), the
length of the explanation, citations and glossary links, and hidden checks of the numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PART_TWO = {  # file -> (label, a figure of the chapter, functions shown from the package, checker of the first exercise)
    "07_one_matrix_product": ("ch-matrix-product", "draw_stacked_weights", ("stack_params", "lstm_forward"),
                              "check_stack_params"),
    "08_backward_pass": ("ch-backward", "draw_backward_flow",
                         ("hidden_state_backward", "output_gate_backward", "cell_state_backward",
                          "forget_gate_backward", "input_gate_backward", "input_state_backward", "lstm_backward"),
                         "check_memory_backward"),
    "09_gradients_through_time": ("ch-gradients", "gradient_flow_explorer", ("rnn_backward", "clip_by_global_norm"),
                                  "check_clipped_norms"),
}


def cells(name):
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())["cells"]


def text_of(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("name", sorted(PART_TWO))
def test_part_two_chapter_has_its_anatomy(name):
    label, figure, functions, checker = PART_TWO[name]
    nb = cells(name)
    text = "\n".join(text_of(c) for c in nb if c["cell_type"] == "markdown")
    program = "\n".join(text_of(c) for c in nb if c["cell_type"] == "code")
    assert text_of(nb[0]).startswith(f"({label})=")
    assert figure in program
    for function in functions:
        assert re.search(rf"show_source\([^)]*\b{function}\b", program), f"shows {function} from the package"
    assert checker in program and "explorer" in program
    exercises = re.findall(r"```\{exercise\}", text)
    assert len(exercises) >= 3
    for label_ in re.findall(r":label:\s*(ex-[\w-]+)", text):
        assert re.search(rf"\{{solution(-start)?\}}\s*{label_}", text), f"exercise {label_} has no solution"
    # the explanation: the text without the exercises and their solutions (whose code would count as words)
    explanation = "\n".join(text_of(c) for c in nb if c["cell_type"] == "markdown"
                            and not text_of(c).lstrip().startswith(("```{exercise}", "::::{solution}")))
    words = len(re.findall(r"[A-Za-z]+", re.sub(r"\]\([^)]*\)", "]", explanation)))  # link targets are not words
    assert 1500 <= words <= 3600, f"{words} words: a chapter of Part II has about 1,500-3,000 words of explanation"
    # citations and glossary links, as roles or as the links tools/convert_notebooks.py stores
    assert re.search(r"\{cite:[tp]\}|\(\.\./book/references\.md#", text)
    assert "{term}" in text or "(../book/glossary.md#term-" in text
    assert "## Summary" in text and "## Exercises" in text and "## Guided observations" in text
    hidden = [c for c in nb if c["cell_type"] == "code" and "remove-input" in c["metadata"].get("tags", [])]
    assert hidden and all("assert" in text_of(c) for c in hidden), "the numbers of the text are checked, hidden"
