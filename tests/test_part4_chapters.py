"""The anatomy of Part IV's chapter 12, as tests/test_part3_chapters.py checks Part III's: the diagram, the code
shown from the package, three exercises with checkers and hidden solutions, a hand-worked example compared by nbval,
the length of the explanation, citations and glossary links, hidden checks of the numbers; and the committed run
loaded, never trained at build time beyond a few seconds."""

from __future__ import annotations

import re

import pytest

from test_part3_chapters import cells, text_of

PART_FOUR = {  # file -> (label, functions shown from the package, checkers of the exercises)
    "12_charlm": ("ch-charlm", ("build_vocabulary", "load_corpus", "lstm_forward", "charlm_forward", "count_model",
                                "count_model_bits", "streams", "charlm_loss", "softmax", "evaluate_bits",
                                "train_charlm", "sample"),
                  ("check_softmax_with_temperature", "check_evaluate_in_chunks", "check_temperature_gradient")),
}


@pytest.mark.parametrize("name", sorted(PART_FOUR))
def test_part_four_chapter_has_its_anatomy(name):
    label, functions, checkers = PART_FOUR[name]
    nb = cells(name)
    text = "\n".join(text_of(c) for c in nb if c["cell_type"] == "markdown")
    program = "\n".join(text_of(c) for c in nb if c["cell_type"] == "code")
    assert text_of(nb[0]).startswith(f"({label})=")
    assert "draw_cell(" in program, "opens with the cell diagram"
    for function in functions:
        assert re.search(rf"show_source\([^)]*\b{function}\b", program), f"shows {function} from the package"
    for checker in checkers:
        assert f"{checker}(my_" in program, f"an exercise uses {checker}"
    assert len(re.findall(r"```\{exercise\}", text)) >= 3
    for label_ in re.findall(r":label:\s*(ex-[\w-]+)", text):
        assert re.search(rf"\{{solution(-start)?\}}\s*{label_}", text), f"exercise {label_} has no solution"
    words = len(re.findall(r"[A-Za-z]+", re.sub(r"\]\([^)]*\)", "]", text)))
    assert 1500 <= words <= 4500, f"{words} words of explanation"
    for key in ("elman1990finding", "graves2013generating", "karpathy2015unreasonable", "sutskever2011generating"):
        assert f"references.md#{key}" in text, f"credits {key}"
    assert "(../book/glossary.md#term-" in text, "it links its terms to the glossary"
    assert "## Summary" in text and "## Exercises" in text and "## References" in text
    hidden = [c for c in nb if c["cell_type"] == "code" and "remove-input" in c["metadata"].get("tags", [])]
    assert len([c for c in hidden if "assert" in text_of(c)]) >= 6, "the numbers of the text are checked, hidden"
    assert any("NBVAL_CHECK_OUTPUT" in text_of(c) for c in nb), "a hand-worked example is compared by nbval"


def test_chapter_twelve_loads_the_committed_run_and_names_its_command():
    program = "\n".join(text_of(c) for c in cells("12_charlm") if c["cell_type"] == "code")
    text = "\n".join(text_of(c) for c in cells("12_charlm") if c["cell_type"] == "markdown")
    assert "load_run()" in program and "python -m lstm_book.teaching.charlm_training" in text
    trainings = re.findall(r"train_charlm\(([^)]*)\)", program)
    assert trainings and all("updates=60" in t for t in trainings), "only a few seconds of training at build time"
    assert "progress=False" not in program
