"""The checkers of chapters 10 and 11: they accept a correct answer written independently of the package, and
reject each typical mistake with the message that names it."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book.teaching.checkers import (check_adam_step, check_coupled_cell_state, check_cross_entropy,
                                          check_gru_hidden_state, check_peephole_forget_gate, check_squared_error)


def sig(z):
    return 1 / (1 + np.exp(-z))


def good_cross_entropy(logits, labels, mask):
    z = logits - logits.max(-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))      # never the log of a probability that underflowed
    p = np.exp(log_p)
    n = mask.sum()
    loss = -np.take_along_axis(log_p, labels[..., None], -1)[..., 0][mask].sum() / n
    onehot = np.eye(logits.shape[-1])[labels]
    return loss, (p - onehot) * mask[..., None] / n


def good_squared_error(y, t, mask):
    n = mask.sum()
    e = (y - t) * mask[..., None]
    return (e ** 2).sum() / n, 2 * e / n


def good_adam(theta, g, m, v, t, lr):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return theta - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8), m, v


def test_correct_answers_pass():
    assert check_cross_entropy(good_cross_entropy).correct
    assert check_squared_error(good_squared_error).correct
    assert check_adam_step(good_adam).correct
    assert check_coupled_cell_state(lambda c, f, i: f * c + (1 - f) * i).correct
    assert check_gru_hidden_state(lambda h, z, n: z * h + (1 - z) * n).correct
    assert check_peephole_forget_gate(lambda x, h, c, Wx, Wh, p, b: sig(x @ Wx.T + h @ Wh.T + p * c + b)).correct


def test_not_written_yet():
    def todo(*args):
        raise NotImplementedError

    for check in (check_cross_entropy, check_squared_error, check_adam_step, check_coupled_cell_state,
                  check_gru_hidden_state, check_peephole_forget_gate):
        result = check(todo)
        assert not result.correct and "not written yet" in result.message


@np.errstate(all="ignore")
def naive_cross_entropy(logits, labels, mask):
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    n = mask.sum()
    loss = -np.log(np.take_along_axis(p, labels[..., None], -1)[..., 0])[mask].sum() / n
    return loss, (p - np.eye(logits.shape[-1])[labels]) * mask[..., None] / n


@pytest.mark.parametrize("wrong, words", [
    (lambda z, y, m: good_cross_entropy(z, y, np.ones_like(m)), "every step"),
    (lambda z, y, m: tuple(a * m.sum() for a in good_cross_entropy(z, y, m)), "sum"),
    (lambda z, y, m: (good_cross_entropy(z, y, m)[0], good_cross_entropy(z, y, m)[1] * m.sum()), "not divided"),
    (lambda z, y, m: (good_cross_entropy(z, y, m)[0], -good_cross_entropy(z, y, m)[1]), "wrong sign"),
    (naive_cross_entropy, "overflows"),
    (lambda z, y, m: good_cross_entropy(z, y, m)[0], "return 2 values"),
])
def test_cross_entropy_mistakes(wrong, words):
    result = check_cross_entropy(wrong)
    assert not result.correct and words in result.message, result.message


@pytest.mark.parametrize("wrong, words", [
    (lambda y, t, m: good_squared_error(y, t, np.ones_like(m)), "every step"),
    (lambda y, t, m: (good_squared_error(y, t, m)[0], good_squared_error(y, t, m)[1] / 2), "missing the 2"),
    (lambda y, t, m: tuple(a / 2 for a in good_squared_error(y, t, m)), "½"),
])
def test_squared_error_mistakes(wrong, words):
    result = check_squared_error(wrong)
    assert not result.correct and words in result.message, result.message


def adam_without_correction(theta, g, m, v, t, lr):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return theta - lr * m / (np.sqrt(v) + 1e-8), m, v


def adam_without_sqrt(theta, g, m, v, t, lr):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return theta - lr * (m / (1 - 0.9 ** t)) / ((v / (1 - 0.999 ** t)) + 1e-8), m, v


@pytest.mark.parametrize("wrong, words", [
    (adam_without_correction, "bias correction"), (adam_without_sqrt, "√v̂"),
    (lambda th, g, m, v, t, lr: good_adam(th, g, m, v, t + 0, lr * 2), "differ"),
])
def test_adam_mistakes(wrong, words):
    result = check_adam_step(wrong)
    assert not result.correct and words in result.message, result.message


def test_variant_equation_mistakes():
    assert "swapped" in check_coupled_cell_state(lambda c, f, i: c * (1 - f) + i * f).message
    assert "1 - f_t" in check_coupled_cell_state(lambda c, f, i: c * f + i * f).message
    assert "swapped" in check_gru_hidden_state(lambda h, z, n: z * n + (1 - z) * h).message
    assert "missing" in check_gru_hidden_state(lambda h, z, n: (1 - z) * n).message
    result = check_peephole_forget_gate(lambda x, h, c, Wx, Wh, p, b: sig(x @ Wx.T + h @ Wh.T + b))
    assert not result.correct and "peephole term is missing" in result.message
    result = check_peephole_forget_gate(lambda x, h, c, Wx, Wh, p, b: np.tanh(x @ Wx.T + h @ Wh.T + p * c + b))
    assert "σ" in result.message
