"""Chapter 14's checkers: each accepts the right answer, names each typical mistake, and its reference answer is
held to the package (the memory path to `input_gradients`) or to a measurement (an untrained RNN's factor)."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book.charlm import charlm_forward, init_charlm
from lstm_book.lookback import input_gradients
from lstm_book.params import Params
from lstm_book.teaching.checkers import check_factor_per_step, check_initial_rnn_factor, check_memory_path
from lstm_book.teaching.checkers.part4_lookback import (_memory_path, factor_per_step, initial_rnn_factor,
                                                        memory_path)


def test_the_memory_path_reference_is_the_package_s():
    rng = np.random.default_rng(8)
    V, H, T, B = 6, 4, 9, 3
    params = Params({k: v.astype(np.float64) + rng.normal(0, 0.4, v.shape) for k, v in init_charlm(V, H, 2).items()},
                    init_charlm(V, H, 2).layout)
    inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, B)
    h0, c0 = rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.5, (B, H))
    logits, trace = charlm_forward(params, inputs, h0, c0)
    p = np.exp(logits[-1] - logits[-1].max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    dh = (np.eye(V)[targets] - p) @ params["W_y"]
    e = dh * trace.o[-1] * (1 - np.tanh(trace.c[-1]) ** 2)
    c_prev = np.concatenate([c0[None], trace.c[:-1]])
    mine = memory_path(e, trace.f, trace.i, trace.j, c_prev, params["W_xi"], params["W_xj"], params["W_xf"])
    assert np.abs(mine - input_gradients(params, inputs, targets, h0, c0).memory).max() < 1e-12


def test_the_untrained_rnn_factor_is_what_a_random_w_hh_does():
    for H in (64, 256):
        W = init_charlm(5, H, 3, "rnn")["W_hh"].astype(np.float64)
        v = np.random.default_rng(H).normal(size=(200, H))
        measured = np.sqrt(np.mean(np.sum((v @ W) ** 2, -1) / np.sum(v ** 2, -1)))
        assert abs(measured - initial_rnn_factor(H)) < 0.02


@pytest.mark.parametrize("checker, right, wrongs", [
    (check_factor_per_step, factor_per_step,
     [(lambda g, first, last: float(np.mean(g[first + 1:last + 1] / g[first:last])), "geometric mean"),
      (lambda g, first, last: (g[last] / g[first]) ** (1 / (last - first + 1)), "one step too many"),
      (lambda g, first, last: (g[first] / g[last]) ** (1 / (last - first)), "inverse"),
      (lambda g, first, last: g[last] / g[first], "root")]),
    (check_memory_path, memory_path,
     [(lambda *a: _memory_path(*a, shift=True), "one forget gate short"),
      (lambda *a: _memory_path(*a, forward=True), "wrong way"),
      (lambda *a: _memory_path(*a, no_f=True), "forget gate's own part"),
      (lambda *a: _memory_path(*a, plain_sigma=True), "σ(1 − σ)"),
      (lambda *a: _memory_path(*a, no_tanh=True), "1 − i_s²"),
      (lambda e, f, i, j, c_prev, W_xi, W_xj, W_xf: np.zeros(f.shape[:2] + W_xi.shape[1:]), "")]),
    (check_initial_rnn_factor, initial_rnn_factor,
     [(lambda hidden_size: hidden_size ** -0.5, "size of one weight"), (lambda hidden_size: 1 / 3, "root"),
      (lambda hidden_size: (3 * hidden_size) ** -0.5, "variance of one weight"), (lambda hidden_size: 1.0, "1/(3H)"),
      (lambda hidden_size: 0.5, "")]),
])
def test_each_checker_accepts_the_answer_and_names_the_mistakes(checker, right, wrongs):
    names = {check_factor_per_step: ("g", "first", "last"), check_initial_rnn_factor: ("hidden_size",),
             check_memory_path: ("e", "f", "i", "j", "c_prev", "W_xi", "W_xj", "W_xf")}[checker]
    namespace = {"right": right}
    exec(f"def answer({', '.join(names)}):\n    return right({', '.join(names)})", namespace)
    assert checker(namespace["answer"]).correct
    for wrong, words in wrongs:
        namespace["right"] = wrong
        exec(f"def answer({', '.join(names)}):\n    return right({', '.join(names)})", namespace)
        verdict = checker(namespace["answer"])
        assert not verdict.correct and words in verdict.message, verdict.message
