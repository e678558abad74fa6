"""The exercise checkers: every correct answer passes, every known mistake gets its own diagnosis.

Each variant below is written out here, independently of lstm_book.teaching.checkers, as a reader would write it: a
catalogue of correct implementations (float32, other but equivalent formulas) that must pass and of wrong ones
(wrong activation, sign errors, swapped or transposed weights, broadcasting slips, batch-only or vector-only
code, in-place changes of the inputs, strange return values, exceptions) that must be rejected with the right
words. If a diagnosis is removed from a checker, the test for that variant fails.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from lstm_book import lstm_step
from lstm_book.teaching.checkers import (
    Feedback, check_cell_state, check_forget_gate, check_hidden_state, check_input_gate, check_input_state,
    check_lstm_step, check_output_gate,
)


def sig(z):
    return 1 / (1 + np.exp(-z))


GATE_CHECKERS = {"o": check_output_gate, "f": check_forget_gate, "j": check_input_gate, "i": check_input_state}


def _raise(exc):
    raise exc


def _mutating(body, name_index, how):
    """A correct body that also changes one of its inputs in place."""

    def function(*args):
        result = body(*args)
        how(args[name_index])
        return result

    return function


def gate_variants(g):
    act = np.tanh if g == "i" else sig
    other = sig if g == "i" else np.tanh
    f32 = np.float32

    def einsum_batch_only(x, h, Wx, Wh, b):
        return act(np.einsum("bd,hd->bh", x, Wx) + np.einsum("bk,hk->bh", h, Wh) + b)

    correct = {
        "rows": lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b),
        "columns then transposed": lambda x, h, Wx, Wh, b: act((Wx @ x.T + Wh @ h.T).T + b),
        "einsum with ellipsis": lambda x, h, Wx, Wh, b: act(np.einsum("...d,hd->...h", x, Wx)
                                                            + np.einsum("...k,hk->...h", h, Wh) + b),
        "np.dot": lambda x, h, Wx, Wh, b: act(np.dot(x, Wx.T) + np.dot(h, Wh.T) + b),
        "float32 inside": lambda x, h, Wx, Wh, b: act(x.astype(f32) @ Wx.T.astype(f32) + h.astype(f32) @ Wh.T.astype(f32)
                                                      + b.astype(f32)),
    }
    if g == "i":
        correct["tanh from exponentials"] = lambda x, h, Wx, Wh, b: (
            lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)))(x @ Wx.T + h @ Wh.T + b)
        correct["tanh as 2σ(2z) − 1"] = lambda x, h, Wx, Wh, b: 2 * sig(2 * (x @ Wx.T + h @ Wh.T + b)) - 1
    else:
        correct["σ as e^z/(1+e^z)"] = lambda x, h, Wx, Wh, b: (lambda z: np.exp(z) / (1 + np.exp(z)))(x @ Wx.T + h @ Wh.T + b)
        correct["σ via tanh"] = lambda x, h, Wx, Wh, b: 0.5 * np.tanh((x @ Wx.T + h @ Wh.T + b) / 2) + 0.5
    wrong = {
        "swapped activation": (lambda x, h, Wx, Wh, b: other(x @ Wx.T + h @ Wh.T + b),
                               "did you use tanh where σ belongs?" if g in "of" else "Did you mix up i_t and j_t?"),
        "no activation": (lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, "You returned the pre-activation"),
        "ReLU": (lambda x, h, Wx, Wh, b: np.maximum(0, x @ Wx.T + h @ Wh.T + b), "that is ReLU"),
        "sign error": (lambda x, h, Wx, Wh, b: (1 / (1 + np.exp(x @ Wx.T + h @ Wh.T + b))) if g != "i"
                       else np.tanh(-(x @ Wx.T + h @ Wh.T + b)), "sign error"),
        "x and h swapped": (lambda x, h, Wx, Wh, b: act(h @ Wx.T + x @ Wh.T + b), f"You multiplied W_x{g} by h_(t-1)"),
        "recurrent weights on the input": (lambda x, h, Wx, Wh, b: act(x @ Wh.T + h @ Wh.T + b),
                                           f"You applied the recurrent weights W_h{g} to the input"),
        "input weights on h": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wx.T + b),
                               f"You applied the input weights W_x{g} to h_(t-1)"),
        "h twice": (lambda x, h, Wx, Wh, b: act(h @ Wx.T + h @ Wh.T + b), "You used h_(t-1) twice"),
        "x twice": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + x @ Wh.T + b), "You used x_t twice"),
        "transposed": (lambda x, h, Wx, Wh, b: act(x @ Wx + h @ Wh + b), "Your weights are transposed"),
        "W_x transposed": (lambda x, h, Wx, Wh, b: act(x @ Wx + h @ Wh.T + b), f"W_x{g} is transposed"),
        "W_h transposed": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh + b), f"W_h{g} is transposed"),
        "no bias": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T), "The bias is left out"),
        "bias subtracted": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T - b), "The bias is subtracted"),
        "bias outside": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T) + b, "The bias is added after"),
        "no recurrence": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + b), "The recurrent term is missing"),
        "no input": (lambda x, h, Wx, Wh, b: act(h @ Wh.T + b), "The input term is missing"),
        "elementwise product": (lambda x, h, Wx, Wh, b: act(Wx * x + Wh * h + b), "You used `*` (elementwise)"),
        "activation per term": (lambda x, h, Wx, Wh, b: act(x @ Wx.T) + act(h @ Wh.T) + act(b), "to each term separately"),
        "column vectors only": (lambda x, h, Wx, Wh, b: act(Wx @ x + Wh @ h + b), "right for one vector but not for a batch"),
        "batch only (einsum)": (einsum_batch_only, "right for a batch of rows but not for one vector"),
        "bias as a column": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b[:, None]), "one axis too many"),
        "summed": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b).sum(), "That is a single number"),
        "tuple of one": (lambda x, h, Wx, Wh, b: (act(x @ Wx.T + h @ Wh.T + b),), "with one element"),
        "two values": (lambda x, h, Wx, Wh, b: (act(x @ Wx.T + h @ Wh.T + b), x @ Wx.T), "returned 2 values"),
        "a list": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b).tolist(), "a Python list"),
        "None": (lambda x, h, Wx, Wh, b: None, "forget the `return`"),
        "a string": (lambda x, h, Wx, Wh, b: "o_t", "returned a string"),
        "a dict": (lambda x, h, Wx, Wh, b: {"o": 1}, "returned a dict"),
        "a function": (lambda x, h, Wx, Wh, b: act, "returned a function"),
        "a generator": (lambda x, h, Wx, Wh, b: (v for v in x), "not an array of numbers"),
        "booleans": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b) > 0.5, "dtype bool"),
        "integers": (lambda x, h, Wx, Wh, b: (act(x @ Wx.T + h @ Wh.T + b) * 10).astype(int), "integer dtype"),
        "float16": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b).astype(np.float16), "too imprecise"),
        "NaN": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b) * np.nan, "has nan at index"),
        "complex": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b) + 0j, "complex numbers"),
        "raises ValueError": (lambda x, h, Wx, Wh, b: _raise(ValueError("oops")), "raised ValueError: 'oops'"),
        "raises ZeroDivisionError": (lambda x, h, Wx, Wh, b: 1 / 0, "raised ZeroDivisionError"),
        "calls sys.exit": (lambda x, h, Wx, Wh, b: sys.exit(3), "raised SystemExit"),
        "wrong numbers": (lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b) * 0.99, "from the equation"),
        "modifies x_t": (_mutating(lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b), 0, lambda a: a.__imul__(2)),
                         "changes its input `x_t` in place"),
        "modifies the bias": (_mutating(lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b), 4, lambda a: a.fill(0)),
                              f"changes its input `b_{g}` in place"),
        "accumulates into h_prev": (lambda x, h, Wx, Wh, b: act(np.add(h @ Wh.T, x @ Wx.T + b, out=h) if h.shape[-1] == Wh.shape[0] else 0),
                                    "changes its input `h_prev` in place"),
    }
    if g != "i":
        wrong["0.5·tanh(z) + 0.5"] = (lambda x, h, Wx, Wh, b: 0.5 * np.tanh(x @ Wx.T + h @ Wh.T + b) + 0.5, "which is σ(2z)")
    else:
        wrong["2σ(z) − 1"] = (lambda x, h, Wx, Wh, b: 2 * sig(x @ Wx.T + h @ Wh.T + b) - 1, "which is tanh(z/2)")
    return correct, wrong


def _assert_rejected(feedback, name, expected):
    assert isinstance(feedback, Feedback)
    assert not feedback.correct, f"{name} was accepted: {feedback.message}"
    assert expected in feedback.message, f"{name}: {feedback.message}"
    assert "Traceback" not in feedback.message


@pytest.mark.parametrize("g", "ofji")
def test_gate_checkers_accept_every_correct_form(g):
    correct, _ = gate_variants(g)
    for name, function in correct.items():
        feedback = GATE_CHECKERS[g](function)
        assert feedback.correct, f"{name}: {feedback.message}"


@pytest.mark.parametrize("g", "ofji")
def test_gate_checkers_reject_every_mistake_with_its_diagnosis(g):
    _, wrong = gate_variants(g)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker never lets the reader's warnings or exceptions escape
        for name, (function, expected) in wrong.items():
            _assert_rejected(GATE_CHECKERS[g](function), name, expected)


def test_the_input_state_checker_calls_a_sigmoid_candidate_a_gate():
    feedback = check_input_state(lambda x, h, Wx, Wh, b: sig(x @ Wx.T + h @ Wh.T + b))
    assert "uses tanh" in feedback.message and "PyTorch's g_t" in feedback.message


def test_signatures_are_read_before_anything_runs():
    calls = []

    def reordered(x_t, W_xo, h_prev, W_ho, b_o):
        calls.append(1)
        return sig(x_t @ W_xo.T + h_prev @ W_ho.T + b_o)

    feedback = check_output_gate(reordered)
    _assert_rejected(feedback, "reordered", "in the order (x_t, W_xo, h_prev, W_ho, b_o)")
    assert "output_gate(x_t, h_prev, W_xo, W_ho, b_o)" in feedback.message and not calls
    _assert_rejected(check_output_gate(lambda x_t, h_prev: x_t), "two arguments", "defined as (x_t, h_prev)")
    _assert_rejected(check_hidden_state(lambda o_t, c_t: np.tanh(c_t) * o_t), "(o_t, c_t)", "in the order (o_t, c_t)")


def test_float32_results_pass_and_differences_are_printed_with_enough_digits():
    def float32_candidate(x, h, Wx, Wh, b):
        return np.tanh((x @ Wx.T + h @ Wh.T + b).astype(np.float32))

    assert check_input_state(float32_candidate).correct
    # a tiny but real difference is shown with digits that differ
    feedback = check_hidden_state(lambda c, o: np.tanh(c) * o * (1 + 1e-3))
    assert not feedback.correct
    words = feedback.message.split(" in yours but ")
    yours, expected = words[0].split()[-1], words[1].split()[0]
    assert yours != expected, feedback.message


HIDDEN_CORRECT = {
    "tanh(c)·o": lambda c, o: np.tanh(c) * o,
    "o·tanh(c)": lambda c, o: np.multiply(o, np.tanh(c)),
    "from exponentials": lambda c, o: (np.exp(2 * c) - 1) / (np.exp(2 * c) + 1) * o,
    "float32": lambda c, o: (np.tanh(c.astype(np.float32)) * o.astype(np.float32)),
}

HIDDEN_WRONG = {
    "no tanh": (lambda c, o: c * o, "the tanh is missing"),
    "sigmoid": (lambda c, o: sig(c) * o, "You used σ(c_t) where tanh(c_t) belongs"),
    "ReLU": (lambda c, o: np.maximum(c, 0) * o, "You used ReLU"),
    "sign": (lambda c, o: -np.tanh(c) * o, "A sign error"),
    "tanh after": (lambda c, o: np.tanh(c * o), "You applied tanh after multiplying"),
    "no gate": (lambda c, o: np.tanh(c), "The output gate is missing"),
    "swapped": (lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped"),
    "added": (lambda c, o: np.tanh(c) + o, "You added o_t"),
    "1 − o": (lambda c, o: np.tanh(c) * (1 - o), "multiplied by 1 − o_t"),
    "gate squashed": (lambda c, o: np.tanh(c) * np.tanh(o), "You squashed the gate too"),
    "2σ − 1": (lambda c, o: (2 * sig(c) - 1) * o, "tanh(c_t/2)"),
    "one number": (lambda c, o: float(np.tanh(c).sum()), "should have shape"),
    "dot product": (lambda c, o: np.dot(np.tanh(c), o), "single number"),
    "tanh in place": (lambda c, o: np.tanh(c, out=c) * o, "changes its input `c_t` in place"),
    "gate in place": (lambda c, o: o.__imul__(np.tanh(c)), "changes its input `o_t` in place"),
    "outer product": (lambda c, o: np.outer(np.tanh(c), o), "one axis too many"),
    "returns a tuple": (lambda c, o: (np.tanh(c), o), "returned 2 values"),
    "last row only": (lambda c, o: (np.tanh(c) * o)[-1], "should have shape"),
}

CELL_CORRECT = {
    "c·f + i·j": lambda c, f, i, j: c * f + i * j,
    "f·c + j·i": lambda c, f, i, j: np.add(np.multiply(f, c), np.multiply(j, i)),
    "float32": lambda c, f, i, j: c.astype(np.float32) * f.astype(np.float32) + i.astype(np.float32) * j.astype(np.float32),
    "copy then in place": lambda c, f, i, j: (lambda out: (out.__imul__(f), out.__iadd__(i * j))[1])(c.copy()),
}


def _in_place_cell(c, f, i, j):
    c *= f
    c += i * j
    return c


CELL_WRONG = {
    "no forget": (lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t"),
    "one minus f": (lambda c, f, i, j: c * (1 - f) + i * j, "(1 − f_t)"),
    "coupled gates": (lambda c, f, i, j: c * f + i * (1 - f), "couples the input and forget gates"),
    "no input gate": (lambda c, f, i, j: c * f + i, "The input gate is missing"),
    "gate written": (lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself"),
    "f twice": (lambda c, f, i, j: c * f + i * f, "You used f_t twice"),
    "j twice": (lambda c, f, i, j: c * j + i * j, "You used j_t twice"),
    "f and j swapped": (lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped"),
    "mixed up": (lambda c, f, i, j: c * i + f * j, "The arguments are mixed up"),
    "subtracted": (lambda c, f, i, j: c * f - i * j, "The new content is subtracted"),
    "f on everything": (lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well"),
    "squashed": (lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh"),
    "no memory": (lambda c, f, i, j: i * j, "The old memory is missing"),
    "no new content": (lambda c, f, i, j: c * f, "The new content is missing"),
    "all multiplied": (lambda c, f, i, j: c * f * i * j, "You multiplied everything together"),
    "in place": (_in_place_cell, "changes its input `c_prev` in place"),
    "dot products": (lambda c, f, i, j: np.dot(c, f) + np.dot(i, j), "single number"),
    "integer zeros": (lambda c, f, i, j: np.zeros(c.shape, dtype=int) + (c * f + i * j).astype(int), "integer dtype"),
    "stacked": (lambda c, f, i, j: np.stack([c * f, i * j]), "one axis too many"),
}


@pytest.mark.parametrize("checker, correct, wrong", [
    (check_hidden_state, HIDDEN_CORRECT, HIDDEN_WRONG), (check_cell_state, CELL_CORRECT, CELL_WRONG),
], ids=["hidden_state", "cell_state"])
def test_state_checkers(checker, correct, wrong):
    for name, function in correct.items():
        feedback = checker(function)
        assert feedback.correct, f"{name}: {feedback.message}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (function, expected) in wrong.items():
            _assert_rejected(checker(function), name, expected)


# ---------------------------------------------------------------- the whole step

def _own_step(x, h, c, p, *, order="book", h_from="new", b_f=None, act_i=np.tanh, sig_f=sig, cell=None,
              hidden=None, W_xf=None, j_params=None, dtype=None):
    if dtype is not None:
        x, h, c = x.astype(dtype), h.astype(dtype), c.astype(dtype)

    def gate(Wx, Wh, b, act):
        if dtype is not None:
            Wx, Wh, b = Wx.astype(dtype), Wh.astype(dtype), b.astype(dtype)
        return act(x @ Wx.T + h @ Wh.T + b)

    i = gate(p.W_xi, p.W_hi, p.b_i, act_i if order == "book" else sig)
    j = gate(*(j_params or (p.W_xj, p.W_hj, p.b_j)), sig if order == "book" else np.tanh)
    f = gate(p.W_xf if W_xf is None else W_xf, p.W_hf, p.b_f if b_f is None else b_f, sig_f)
    o = gate(p.W_xo, p.W_ho, p.b_o, sig)
    c_t = (cell or (lambda c_, f_, i_, j_: c_ * f_ + i_ * j_))(c, f, i, j)
    h_t = (hidden or (lambda c_, o_: np.tanh(c_) * o_))(c_t if h_from == "new" else c, o)
    return h_t, c_t


def _stacked_step(x, h, c, p):
    """One matrix product for all four parts (an equivalent formula): z = [x, h] @ W.T + b."""
    W = np.concatenate([np.concatenate([p.W_xi, p.W_hi], axis=1), np.concatenate([p.W_xj, p.W_hj], axis=1),
                        np.concatenate([p.W_xf, p.W_hf], axis=1), np.concatenate([p.W_xo, p.W_ho], axis=1)])
    b = np.concatenate([p.b_i, p.b_j, p.b_f, p.b_o])
    z = np.concatenate([x, h], axis=-1) @ W.T + b
    zi, zj, zf, zo = np.split(z, 4, axis=-1)
    c_t = c * sig(zf) + np.tanh(zi) * sig(zj)
    return np.tanh(c_t) * sig(zo), c_t


def _package_step(x, h, c, p):
    step = lstm_step(x, h, c, p)
    return step.h, step.c


def _mutate_params(x, h, c, p):
    p.b_f += 1.0
    return _own_step(x, h, c, p)


def _replace_params(x, h, c, p):
    p.b_f = p.b_f + 1
    return _own_step(x, h, c, p)


def _c_prev_in_place(x, h, c, p):
    h_t, c_t = _own_step(x, h, c, p)
    c[...] = c_t
    return h_t, c


def _vector_only_step(x, h, c, p):
    i = np.tanh(p.W_xi @ x + p.W_hi @ h + p.b_i)
    j = sig(p.W_xj @ x + p.W_hj @ h + p.b_j)
    f = sig(p.W_xf @ x + p.W_hf @ h + p.b_f)
    o = sig(p.W_xo @ x + p.W_ho @ h + p.b_o)
    c_t = c * f + i * j
    return np.tanh(c_t) * o, c_t


STEP_CORRECT = {
    "own step": _own_step,
    "the package's step": _package_step,
    "one matrix product": _stacked_step,
    "float32 throughout": lambda *a: _own_step(*a, dtype=np.float32),
    "returns a list": lambda *a: list(_own_step(*a)),
}

STEP_WRONG = {
    "(c_t, h_t)": (lambda *a: _own_step(*a)[::-1], "return the hidden state first"),
    "pytorch letters": (lambda *a: _own_step(*a, order="pytorch"), "as PyTorch's letters would suggest"),
    "old memory": (lambda *a: _own_step(*a, h_from="old"), "uses the old memory"),
    "h_prev kept instead of c_prev": (lambda x, h, c, p: _own_step(x, h, h, p), "keeps a fraction of h_prev"),
    "one value": (lambda *a: _own_step(*a)[0], "should return 2 values"),
    "three values": (lambda *a: (*_own_step(*a), 0.0), "a tuple of 3 values"),
    "all six": (lambda x, h, c, p: lstm_step(x, h, c, p), "all six quantities"),
    "None": (lambda *a: None, "should return 2 values"),
    "+1.0 instead of b_f": (lambda x, h, c, p: _own_step(x, h, c, p, b_f=1.0), "the forget gate f_t behaves as if its bias were 1 in every unit"),
    "tanh(c ⊙ o)": (lambda *a: _own_step(*a, hidden=lambda c, o: np.tanh(c * o)), "You applied tanh after multiplying"),
    "h without tanh": (lambda *a: _own_step(*a, hidden=lambda c, o: c * o), "The mistake is in the hidden state h_t"),
    "sign error in σ of f": (lambda *a: _own_step(*a, sig_f=lambda z: 1 / (1 + np.exp(z))), "sign error inside σ"),
    "ReLU candidate": (lambda *a: _own_step(*a, act_i=lambda z: np.maximum(z, 0)), "The mistake is in the candidate i_t"),
    "f used twice": (lambda *a: _own_step(*a, cell=lambda c, f, i, j: c * f + i * f), "uses f_t twice"),
    "coupled": (lambda *a: _own_step(*a, cell=lambda c, f, i, j: c * f + i * (1 - f)), "couples the input and forget"),
    "W_hf on the input": (lambda x, h, c, p: _own_step(x, h, c, p, W_xf=p.W_hf), "recurrent weights W_hf to the input"),
    "j with f's weights": (lambda x, h, c, p: _own_step(x, h, c, p, j_params=(p.W_xf, p.W_hf, p.b_f)),
                           "the input gate j_t is computed with the weights of the forget gate"),
    "changes params": (_mutate_params, "LSTMParams is read-only"),
    "assigns to params": (_replace_params, "tried to change the parameters"),
    "overwrites c_prev": (_c_prev_in_place, "changes its input `c_prev` in place"),
    "vector only": (_vector_only_step, "right for one vector but not for a batch"),
    "h wrong": (lambda *a: (_own_step(*a)[0] * 0.5, _own_step(*a)[1]), "h_t[0] is"),
    "c wrong": (lambda *a: (_own_step(*a)[0], _own_step(*a)[1] + 0.1), "c_t[0] is"),
    "raises": (lambda *a: _raise(KeyError("W_xi")), "raised KeyError"),
}


def test_step_checker_accepts_every_correct_form():
    for name, function in STEP_CORRECT.items():
        feedback = check_lstm_step(function)
        assert feedback.correct, f"{name}: {feedback.message}"


def test_step_checker_says_where_the_mistake_is():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (function, expected) in STEP_WRONG.items():
            _assert_rejected(check_lstm_step(function), name, expected)


def test_a_mistake_in_c_alone_is_reported_in_c():
    feedback = check_lstm_step(lambda *a: _own_step(*a, cell=lambda c, f, i, j: c * f + i * j * 1.1))
    assert not feedback.correct and "c_t is wrong" in feedback.message and "c_t[" in feedback.message


def test_unwritten_and_broken_answers_are_explained():
    def unwritten(*args):
        raise NotImplementedError

    assert "not written yet" in check_cell_state(unwritten).message
    assert "not written yet" in check_lstm_step(unwritten).message
    assert "forget the `return`" in check_hidden_state(lambda c, o: None).message
    assert "Pass your function itself" in check_hidden_state(3).message
    assert "Pass your function itself" in check_lstm_step(np.zeros((1000, 1000))).message
    crash = check_output_gate(lambda x, h, Wx, Wh, b: x @ b.reshape(1, -1))
    assert not crash.correct and "shape" in crash.message
    assert "Traceback" not in crash.message


class _Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")


def test_a_checker_never_raises_whatever_comes_back():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        matrix = np.matrix([[1.0]])
    strange = [_Unprintable(), object(), [[1, 2], [3]], b"bytes", {1, 2}, np.array("s"), Ellipsis, 1j, matrix]
    for value in strange:
        for checker in (check_hidden_state, check_output_gate, check_lstm_step):
            feedback = checker(lambda *a, v=value: v)
            assert isinstance(feedback, Feedback) and not feedback.correct and feedback.message
        assert not check_lstm_step(lambda *a, v=value: (v, v)).correct


def test_feedback_reads_well():
    good = check_hidden_state(lambda c, o: np.tanh(c) * o)
    assert bool(good) and str(good).startswith("✔ Correct.")
    bad = check_hidden_state(lambda c, o: c * o)
    assert not bad and str(bad).startswith("✘ Not yet.") and bad._repr_markdown_().startswith("**✘")


def test_the_cases_vary_every_parameter():
    """A step that writes a constant where any one parameter belongs is rejected (b_f = 1 in every case let
    `+ 1.0` pass)."""
    from lstm_book.teaching.checkers.part1.gates import _rng_cases_gate
    from lstm_book.teaching.checkers.part1.states import _state_cases
    from lstm_book.teaching.checkers.part1.step import _step_cases

    for case in _step_cases():
        for name, value in case["params"].as_dict().items():
            assert np.unique(value).size == value.size, name  # no repeated value inside an array
            assert not np.any(np.isin(value, [0.0, 1.0])), name
        assert np.all(case["c_prev"] != 0) and np.all(case["h_prev"] != 0)
    for g in "ofji":
        cases = _rng_cases_gate(g)
        assert len({float(np.ravel(c[f"b_{g}"])[0]) for c in cases}) == len(cases)
    for constant in (0.0, 1.0, -1.0, 0.5):
        for name in ("b_i", "b_j", "b_f", "b_o"):
            def step(x, h, c, p, name=name, constant=constant):
                return _package_step(x, h, c, p.replace(**{name: np.full_like(getattr(p, name), constant)}))

            assert not check_lstm_step(step).correct, (name, constant)
    assert _state_cases(["c_t"], {"c_t": (-3.0, 3.0)})[0]["c_t"].dtype == np.float64
