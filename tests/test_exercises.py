"""The exercise checkers: every correct answer passes, every known mistake gets its own diagnosis.

Each wrong variant below is written out here, independently of lstm_book.exercises, as a reader would write
it. If a diagnosis is removed from a checker, the test for that variant fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book import lstm_step
from lstm_book.exercises import (
    check_cell_state, check_forget_gate, check_hidden_state, check_input_gate, check_input_state, check_lstm_step,
    check_output_gate,
)


def sig(z):
    return 1 / (1 + np.exp(-z))


GATE_CHECKERS = {"o": check_output_gate, "f": check_forget_gate, "j": check_input_gate, "i": check_input_state}


def gate_variants(g):
    act = np.tanh if g == "i" else sig
    other = sig if g == "i" else np.tanh
    return {
        "correct": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b), None),
        "swapped activation": (lambda x, h, Wx, Wh, b: other(x @ Wx.T + h @ Wh.T + b),
                               "did you use tanh where σ belongs?" if g in "of" else
                               "Did you mix up i_t and j_t?"),
        "no activation": (lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, "You returned the pre-activation"),
        "x and h swapped": (lambda x, h, Wx, Wh, b: act(h @ Wx.T + x @ Wh.T + b), f"You multiplied W_x{g} by h_(t-1)"),
        "transposed": (lambda x, h, Wx, Wh, b: act(x @ Wx + h @ Wh + b), "Your weights are transposed"),
        "no bias": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T), "The bias is left out"),
        "bias outside": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T) + b, "The bias is added after"),
        "no recurrence": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + b), "The recurrent term is missing"),
        "no input": (lambda x, h, Wx, Wh, b: act(h @ Wh.T + b), "The input term is missing"),
        "column vectors only": (lambda x, h, Wx, Wh, b: act(Wx @ x + Wh @ h + b), "fails on a batch of rows"),
        "wrong numbers": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b) * 0.99, "the numbers differ"),
    }


@pytest.mark.parametrize("g", "ofji")
def test_gate_checkers(g):
    for name, (function, expected) in gate_variants(g).items():
        feedback = GATE_CHECKERS[g](function)
        if expected is None:
            assert feedback.correct, f"{name}: {feedback.message}"
        else:
            assert not feedback.correct, name
            assert expected in feedback.message, f"{name}: {feedback.message}"


def test_the_input_state_checker_calls_a_sigmoid_candidate_a_gate():
    feedback = check_input_state(lambda x, h, Wx, Wh, b: sig(x @ Wx.T + h @ Wh.T + b))
    assert "uses tanh" in feedback.message and "PyTorch's g_t" in feedback.message


HIDDEN_VARIANTS = {
    "correct": (lambda c, o: np.tanh(c) * o, None),
    "no tanh": (lambda c, o: c * o, "the tanh is missing"),
    "sigmoid": (lambda c, o: sig(c) * o, "You used σ(c_t) where tanh(c_t) belongs"),
    "tanh after": (lambda c, o: np.tanh(c * o), "You applied tanh after multiplying"),
    "no gate": (lambda c, o: np.tanh(c), "The output gate is missing"),
    "swapped": (lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped"),
    "added": (lambda c, o: np.tanh(c) + o, "You added o_t"),
    "one number": (lambda c, o: float(np.tanh(c).sum()), "should have shape"),
}

CELL_VARIANTS = {
    "correct": (lambda c, f, i, j: c * f + i * j, None),
    "no forget": (lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t"),
    "one minus f": (lambda c, f, i, j: c * (1 - f) + i * j, "(1 − f_t)"),
    "no input gate": (lambda c, f, i, j: c * f + i, "The input gate is missing"),
    "gate written": (lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself"),
    "f and j swapped": (lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped"),
    "mixed up": (lambda c, f, i, j: c * i + f * j, "The arguments are mixed up"),
    "f on everything": (lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well"),
    "squashed": (lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh"),
    "no memory": (lambda c, f, i, j: i * j, "The old memory is missing"),
}


@pytest.mark.parametrize("checker, variants", [(check_hidden_state, HIDDEN_VARIANTS), (check_cell_state, CELL_VARIANTS)],
                         ids=["hidden_state", "cell_state"])
def test_state_checkers(checker, variants):
    for name, (function, expected) in variants.items():
        feedback = checker(function)
        if expected is None:
            assert feedback.correct, f"{name}: {feedback.message}"
        else:
            assert not feedback.correct, name
            assert expected in feedback.message, f"{name}: {feedback.message}"


def _own_step(x, h, c, p, order="book", h_from="new"):
    def gate(Wx, Wh, b, act):
        return act(x @ Wx.T + h @ Wh.T + b)

    i = gate(p.W_xi, p.W_hi, p.b_i, np.tanh if order == "book" else sig)
    j = gate(p.W_xj, p.W_hj, p.b_j, sig if order == "book" else np.tanh)
    f = gate(p.W_xf, p.W_hf, p.b_f, sig)
    o = gate(p.W_xo, p.W_ho, p.b_o, sig)
    c_t = c * f + i * j
    return np.tanh(c_t if h_from == "new" else c) * o, c_t


def test_step_checker():
    assert check_lstm_step(_own_step).correct
    cases = {
        "(c_t, h_t)": (lambda *a: _own_step(*a)[::-1], "return the hidden state first"),
        "pytorch letters": (lambda *a: _own_step(*a, order="pytorch"), "as PyTorch's letters would suggest"),
        "old memory": (lambda *a: _own_step(*a, h_from="old"), "uses the old memory"),
        "one value": (lambda *a: _own_step(*a)[0], "return 2 values"),
        "h wrong": (lambda *a: (_own_step(*a)[0] * 0.5, _own_step(*a)[1]), "h_t: the numbers differ"),
    }
    for name, (function, expected) in cases.items():
        feedback = check_lstm_step(function)
        assert not feedback.correct, name
        assert expected in feedback.message, f"{name}: {feedback.message}"


def test_the_package_step_passes_its_own_checker():
    def package_step(x, h, c, p):
        step = lstm_step(x, h, c, p)
        return step.h, step.c

    assert check_lstm_step(package_step).correct


def test_unwritten_and_broken_answers_are_explained():
    def unwritten(*args):
        raise NotImplementedError

    assert "not written yet" in check_cell_state(unwritten).message
    assert "forget the `return`" in check_hidden_state(lambda c, o: None).message
    assert "Pass your function itself" in check_hidden_state(3).message
    crash = check_output_gate(lambda x, h, Wx, Wh, b: x @ b.reshape(1, -1))
    assert not crash.correct and "shape" in crash.message
    assert "Traceback" not in crash.message


def test_feedback_reads_well():
    good = check_hidden_state(lambda c, o: np.tanh(c) * o)
    assert bool(good) and str(good).startswith("✔ Correct.")
    bad = check_hidden_state(lambda c, o: c * o)
    assert not bad and str(bad).startswith("✘ Not yet.") and bad._repr_markdown_().startswith("**✘")
