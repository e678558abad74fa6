"""The checkers of Part II's exercises: each accepts a correct answer written independently here, and rejects
each typical mistake with the message that names it."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book import Step, lstm_step_backward
from lstm_book.teaching.checkers import (
    check_clip_by_global_norm, check_forget_gate_backward, check_lstm_backward, check_memory_backward,
    check_stack_params,
)

PARAMS = ["W_xi", "W_hi", "b_i", "W_xj", "W_hj", "b_j", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o"]


def not_written(*args):
    raise NotImplementedError


# ------------------------------------------------------------------ stacking

def stack(p, order="ijfo", columns=("x", "h")):
    W = np.vstack([np.hstack([getattr(p, f"W_{k}{g}") for k in columns]) for g in order])
    return W, np.hstack([getattr(p, f"b_{g}") for g in order])


@pytest.mark.parametrize("answer, words", [
    (lambda p: stack(p, "jfio"), "PyTorch's order"),
    (lambda p: stack(p, columns=("h", "x")), "[W_h W_x]"),
    (lambda p: (stack(p)[0].T, stack(p)[1]), "Keras's kernel"),
    (lambda p: stack(p, "ifjo"), "swapped"),
])
def test_stack_checker(answer, words):
    assert check_stack_params(stack).correct
    feedback = check_stack_params(answer)
    assert not feedback.correct and words in feedback.message, feedback.message
    assert "not written yet" in check_stack_params(not_written).message


# ------------------------------------------------------------------ the memory's backward step

def memory(dh, dc_next, c, o, c_prev, f, i, j, *, carry=True, via_h=True, derivative="ok", to_prev=True,
           old=True, swap=False):
    t = np.tanh(c)
    slope = {"ok": 1 - t * t, "none": 1.0, "tanh": t, "c": 1 - c * c}[derivative]
    dc = (dh * o * slope if via_h else 0.0) + (dc_next if carry else 0.0)
    di, dj = (dc * i, dc * j) if swap else (dc * j, dc * i)
    return (dc * f if to_prev else dc), dc * (c_prev if old else c), di, dj


@pytest.mark.parametrize("mistake, words", [
    ({"carry": False}, "error from c_(t+1) is forgotten"),
    ({"via_h": False}, "path through h_t is missing"),
    ({"derivative": "none"}, "derivative of tanh is missing"),
    ({"derivative": "tanh"}, "where its derivative belongs"),
    ({"derivative": "c"}, "1 − c_t²"),
    ({"to_prev": False}, "dc_prev = dc_t ⊙ f_t"),
    ({"old": False}, "OLD memory"),
    ({"swap": True}, "swapped"),
])
def test_memory_backward_checker(mistake, words):
    assert check_memory_backward(memory).correct
    feedback = check_memory_backward(lambda *a: memory(*a, **mistake))
    assert not feedback.correct and words in feedback.message, feedback.message


# ------------------------------------------------------------------ the forget gate's backward step

def forget_backward(df, f, x, h, W_x, W_h, *, slope="ok", transpose=False, sum_batch=True):
    dz = df * {"ok": f * (1 - f), "sigma": f, "none": 1.0, "tanh": 1 - f * f,
               "again": (1 / (1 + np.exp(-f))) * (1 - 1 / (1 + np.exp(-f)))}[slope]
    dz2, x2, h2 = np.atleast_2d(dz), np.atleast_2d(x), np.atleast_2d(h)
    db = dz2.sum(axis=0) if sum_batch else dz
    return dz @ W_x, dz @ (W_h.T if transpose else W_h), dz2.T @ x2, dz2.T @ h2, db


@pytest.mark.parametrize("mistake, words", [
    ({"slope": "sigma"}, "σ' is written as σ"),
    ({"slope": "none"}, "derivative of σ is missing"),
    ({"slope": "tanh"}, "derivative of tanh"),
    ({"slope": "again"}, "applied σ to the gate again"),
    ({"transpose": True}, "transposed"),
    ({"sum_batch": False}, "sum over the batch"),
])
def test_forget_gate_backward_checker(mistake, words):
    assert check_forget_gate_backward(forget_backward).correct
    feedback = check_forget_gate_backward(lambda *a: forget_backward(*a, **mistake))
    assert not feedback.correct and words in feedback.message, feedback.message


# ------------------------------------------------------------------ backpropagation through time

def bptt(xs, params, trace, dh, *, from_h=True, from_c=True, accumulate=True, shift=True):
    zeros = np.zeros_like(trace.h[0])
    h_prev = [zeros, *trace.h[:-1]] if shift else list(trace.h)
    c_prev = [zeros, *trace.c[:-1]]
    dh_next = dc_next = zeros
    grads = {k: 0.0 for k in PARAMS}
    dxs = np.zeros_like(xs)
    for t in reversed(range(len(xs))):
        step = Step(*(a[t] for a in trace))
        g = lstm_step_backward(dh[t] + (dh_next if from_h else 0), dc_next if from_c else zeros, xs[t], h_prev[t],
                               c_prev[t], step, params)
        dh_next, dc_next, dxs[t] = g.h_prev, g.c_prev, g.x_t
        for k in PARAMS:
            grads[k] = grads[k] + getattr(g, k) if accumulate else getattr(g, k)
    return {**grads, "xs": dxs}


@pytest.mark.parametrize("mistake, words", [
    ({"from_h": False}, "error from h_(t+1) is forgotten"),
    ({"from_c": False}, "error from c_(t+1) is forgotten"),
    ({"accumulate": False}, "SUM of every step"),
    ({"shift": False}, "off by one"),
])
def test_lstm_backward_checker(mistake, words):
    assert check_lstm_backward(bptt).correct
    feedback = check_lstm_backward(lambda *a: bptt(*a, **mistake))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_lstm_backward_checker_explains_other_failures():
    assert "not written yet" in check_lstm_backward(not_written).message
    assert "missing" in check_lstm_backward(lambda *a: {"xs": 0}).message
    feedback = check_lstm_backward(lambda *a: {k: v * 1.01 for k, v in bptt(*a).items()})
    assert not feedback.correct and "differ from lstm_backward" in feedback.message


# ------------------------------------------------------------------ clipping

def clip(grads, max_norm, *, how="global"):
    if how == "entries":
        return {k: np.clip(v, -max_norm, max_norm) for k, v in grads.items()}
    if how == "arrays":
        return {k: v * min(1.0, max_norm / np.sqrt(np.sum(v * v))) for k, v in grads.items()}
    total = sum(float(np.sum(v * v)) for v in grads.values())
    norm = total if how == "squared" else np.sqrt(total)
    factor = max_norm / norm if how == "always" else min(1.0, max_norm / norm)
    return {k: v * factor for k, v in grads.items()}


@pytest.mark.parametrize("how, words", [
    ("entries", "np.clip"), ("arrays", "its own norm"), ("squared", "square root"), ("always", "already below"),
])
def test_clip_checker(how, words):
    assert check_clip_by_global_norm(clip).correct
    feedback = check_clip_by_global_norm(lambda g, m: clip(g, m, how=how))
    assert not feedback.correct and words in feedback.message, feedback.message
    assert "not written yet" in check_clip_by_global_norm(not_written).message
