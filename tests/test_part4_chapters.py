"""The anatomy of Part IV's chapters 12, 13 and 14, as tests/test_part3_chapters.py checks Part III's: the diagram, the code
shown from the package, three exercises with checkers and hidden solutions, a hand-worked example compared by nbval,
the length of the explanation, citations and glossary links, hidden checks of the numbers; and the committed run
loaded, never trained at build time beyond a few seconds."""

from __future__ import annotations

import re

import pytest

from test_part3_chapters import assert_anatomy, cells, text_of

PART_FOUR = {  # file -> (label, functions shown from the package, checkers of the exercises)
    "12_charlm": ("ch-charlm", ("build_vocabulary", "load_corpus", "lstm_forward", "charlm_forward", "count_model",
                                "count_model_bits", "streams", "charlm_loss", "softmax", "evaluate_bits",
                                "train_charlm", "sample"),
                  ("check_softmax_with_temperature", "check_evaluate_in_chunks", "check_unigram_bias")),
    "13_what_the_units_learned": ("ch-units", ("text_features", "unit_values", "correlations", "character_control",
                                               "gate_saturation", "measure_units", "rank_units"),
                                  ("check_chars_to_line_end", "check_binary_correlation", "check_mean_gate_slope")),
    "14_how_far_back": ("ch-how-far-back", ("input_gradients", "rnn_forward", "rnn_backward", "RNNTrace"),
                        ("check_factor_per_step", "check_memory_path", "check_initial_rnn_factor")),
}
CREDITS = {  # file -> the references each chapter must credit
    "12_charlm": ("elman1990finding", "graves2013generating", "karpathy2015unreasonable", "sutskever2011generating"),
    "13_what_the_units_learned": ("karpathy2015visualizing", "karpathy2015unreasonable", "zhang2018language"),
    "14_how_far_back": ("hochreiter1991untersuchungen", "bengio1994learning", "hochreiter1997lstm",
                        "khandelwal2018sharp", "karpathy2015visualizing"),
}


@pytest.mark.parametrize("name", sorted(PART_FOUR))
def test_part_four_chapter_has_its_anatomy(name):
    assert_anatomy(name, *PART_FOUR[name], most_words=4500)
    text = "\n".join(text_of(c) for c in cells(name) if c["cell_type"] == "markdown")
    for key in CREDITS[name]:
        assert f"references.md#{key}" in text, f"credits {key}"
    hidden = [c for c in cells(name) if "remove-input" in c["metadata"].get("tags", []) and "assert" in text_of(c)]
    assert len(hidden) >= 6, "the numbers of the text are checked, hidden from the page"


def test_chapter_twelve_loads_the_committed_run_and_names_its_command():
    program = "\n".join(text_of(c) for c in cells("12_charlm") if c["cell_type"] == "code")
    text = "\n".join(text_of(c) for c in cells("12_charlm") if c["cell_type"] == "markdown")
    assert "load_run()" in program and "python -m lstm_book.teaching.charlm_training" in text
    trainings = re.findall(r"train_charlm\(([^)]*)\)", program)
    assert trainings and all("updates=60" in t for t in trainings), "only a few seconds of training at build time"
    assert "progress=False" not in program


def test_chapter_thirteen_reads_the_committed_run_and_trains_nothing():
    program = "\n".join(text_of(c) for c in cells("13_what_the_units_learned") if c["cell_type"] == "code")
    assert "load_run()" in program and "train_charlm(" not in program
    assert "init_charlm(" in program and 'seed=RECIPE["seed"]' in program, "the untrained control: the recipe's seed"
    assert "measure_units(params, untrained, vocabulary, valid_text, test_text)" in program, \
        "chosen on the validation text, reported on the test text"


def test_chapter_fourteen_loads_both_committed_runs_names_the_rnn_command_and_trains_nothing():
    program = "\n".join(text_of(c) for c in cells("14_how_far_back") if c["cell_type"] == "code")
    text = "\n".join(text_of(c) for c in cells("14_how_far_back") if c["cell_type"] == "markdown")
    assert "load_run()" in program and "load_run(RNN_RUN_DIR)" in program
    assert "python -m lstm_book.teaching.charlm_training --cell rnn" in text
    assert not re.search(r"\btrain(_charlm)?\(", program), "nothing is trained at build time"
    assert "gradient_by_distance(" in program and "n_streams=120" in program   # the measurement, on the page
