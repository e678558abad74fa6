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


# ------------------------------------------------------------------ issue 16: the catalogues of Part III, grown

from lstm_book.teaching.checkers import (  # noqa: E402
    check_coupled_memory_backward, check_forget_bias, check_temperature_gradient,
)


@np.errstate(all="ignore")
def log_of_softmax(logits, labels, mask):  # underflows where the right class is far below the largest logit
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    n = mask.sum()
    loss = -np.log(np.take_along_axis(p, labels[..., None], -1)[..., 0])[mask].sum() / n
    return loss, (p - np.eye(logits.shape[-1])[labels]) * mask[..., None] / n


def capped(logits, labels, mask):
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    n = mask.sum()
    loss = -np.log(np.take_along_axis(p, labels[..., None], -1)[..., 0] + 1e-12)[mask].sum() / n
    return loss, (p - np.eye(logits.shape[-1])[labels]) * mask[..., None] / n


@np.errstate(all="ignore")
def inverted(logits, labels, mask):
    scored = ~mask                                      # the steps where mask is False
    z = logits - logits.max(-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))
    loss = -np.sum(np.take_along_axis(log_p, labels[..., None], -1)[..., 0] * scored) / scored.sum()
    return loss, (np.exp(log_p) - np.eye(logits.shape[-1])[labels]) * scored[..., None] / scored.sum()


@pytest.mark.parametrize("wrong, words", [
    (log_of_softmax, "log(0) = -inf"),
    (capped, "log(p + 1e-12)"),
    (inverted, "inverted"),
    (lambda z, y, m: tuple(a * m.sum() / m.size for a in good_cross_entropy(z, y, m)), "all T·B steps"),
    (lambda z, y, m: tuple(a * m.sum() / m.shape[1] for a in good_cross_entropy(z, y, m)), "batch size B"),
])
def test_cross_entropy_catalogue(wrong, words):
    result = check_cross_entropy(wrong)
    assert not result.correct and words in result.message, result.message


def adam(theta, g, m, v, t, lr, eps_inside=False, t_shift=0, update=True, efficient=False):
    m1, v1 = (0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g) if update else (m, v)
    m_hat, v_hat = m1 / (1 - 0.9 ** (t + t_shift)), v1 / (1 - 0.999 ** (t + t_shift))
    if efficient:
        step = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m1 / (np.sqrt(v1) + 1e-8)
    else:
        step = lr * m_hat / (np.sqrt(v_hat + 1e-8) if eps_inside else np.sqrt(v_hat) + 1e-8)
    return theta - step, m1, v1


@pytest.mark.parametrize("switches, words", [
    ({"eps_inside": True}, "inside the square root"),
    ({"t_shift": 1}, "off by one step (t + 1)"),
    ({"t_shift": -1}, "off by one step (t - 1)"),
    ({"update": False}, "moments are not updated"),
    ({"efficient": True}, "'efficient' form"),
])
def test_adam_catalogue(switches, words):
    result = check_adam_step(lambda *a: adam(*a, **switches))
    assert not result.correct and words in result.message, result.message
    assert check_adam_step(adam).correct


def test_an_untouched_moment_is_not_rounding():
    result = check_adam_step(lambda theta, g, m, v, t, lr: (adam(theta, g, m, v, t, lr)[0], m, adam(theta, g, m, v, t, lr)[2]))
    assert not result.correct and "old m and v" not in result.message and "never updated" in result.message, result.message
    assert "rounded" not in result.message and "whole numbers" not in result.message


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def temperature(z, y, m, tau, chain="ok", p_tau=True):
    s = z / tau
    loss = good_cross_entropy(s, y, m)[0]
    p = softmax(s if p_tau else z)
    ds = (p - np.eye(z.shape[-1])[y]) * m[..., None] / m.sum()
    factor = {"ok": -z / tau**2, "none": z, "sign": z / tau**2, "one": -z / tau}[chain]
    return loss, np.sum(ds * factor)


@pytest.mark.parametrize("switches, words", [
    ({"chain": "none"}, "chain rule's last factor is missing"),
    ({"chain": "sign"}, "sign of dL/dτ"),
    ({"chain": "one"}, "One τ short"),
    ({"p_tau": False}, "temperature 1"),
])
def test_temperature_catalogue(switches, words):
    result = check_temperature_gradient(lambda *a: temperature(*a, **switches))
    assert not result.correct and words in result.message, result.message
    assert check_temperature_gradient(temperature).correct
    assert check_temperature_gradient(lambda z, y, m, tau: temperature(z.astype(np.float32), y, m, np.float32(tau))).correct


@pytest.mark.parametrize("wrong, words", [
    (lambda n, s: np.log(s / (1 - s)), "ignores the number of steps"),
    (lambda n, s: np.log(s ** (1 / n)), "You took ln f"),
    (lambda n, s: s ** (1 / n), "gate's value"),
    (lambda n, s: np.log((1 - s ** (1 / n)) / s ** (1 / n)), "sign is wrong"),
    (lambda n, s: np.log(s**n / (1 - s**n)), "power `steps`"),
])
def test_forget_bias_catalogue(wrong, words):
    result = check_forget_bias(wrong)
    assert not result.correct and words in result.message, result.message
    assert check_forget_bias(lambda n, s: -np.log(1 / s ** (1 / n) - 1)).correct
    assert check_forget_bias(lambda n, s: float(np.log(s ** (1 / n) / (1 - s ** (1 / n))))).correct


@pytest.mark.parametrize("wrong, words", [
    (lambda dc, c, f, i: (dc * f, dc * c, dc * (1 - f)), "product rule is dropped"),
    (lambda dc, c, f, i: (dc * f, dc * (c + i), dc * (1 - f)), "sign of the second term"),
    (lambda dc, c, f, i: (dc * f, dc * (c - i), dc * f), "not dc_t ⊙ f_t"),
    (lambda dc, c, f, i: (dc, dc * (c - i), dc * (1 - f)), "whole error at c_t"),
])
def test_coupled_memory_backward_catalogue(wrong, words):
    result = check_coupled_memory_backward(wrong)
    assert not result.correct and words in result.message, result.message
    assert check_coupled_memory_backward(lambda dc, c, f, i: (f * dc, c * dc - i * dc, dc - f * dc)).correct


def test_peephole_gate_reuses_part_one_diagnoses():
    result = check_peephole_forget_gate(lambda x, h, c, Wx, Wh, p, b: sig(h @ Wx.T + x @ Wh.T + p * c + b))
    assert not result.correct and "You multiplied W_xf by h_(t-1)" in result.message, result.message
    result = check_peephole_forget_gate(lambda x, h, c, Wx, Wh, p, b: np.tanh(x @ Wx.T + h @ Wh.T + p * c + b))
    assert not result.correct and "tanh where σ belongs" in result.message, result.message


# ------------------------------------------------------------------ issue 16: predictions, runs, Part IV's bias

import dataclasses  # noqa: E402
import math  # noqa: E402

from lstm_book.memory_tasks import adding, temporal_order  # noqa: E402
from lstm_book.train import train  # noqa: E402
from lstm_book.teaching.checkers import (  # noqa: E402
    check_constant_gradient_step, check_forget_bias_run, check_matching_size, check_matching_size_run,
    check_uniform_cross_entropy, check_unigram_bias,
)


def uniform(labels, mask, K, n=None, loss=None, grad="ok"):
    n = mask.sum() if n is None else n(mask)
    one_hot = np.eye(K)[labels]
    d = {"ok": (1 / K - one_hot), "p": np.full(one_hot.shape, 1 / K), "sign": one_hot - 1 / K}[grad]
    return (math.log(K) if loss is None else loss(K)), d * mask[..., None] / n


@pytest.mark.parametrize("switches, words", [
    ({"loss": math.log2}, "in bits"),
    ({"loss": lambda K: -math.log(K)}, "negative"),
    ({"grad": "p"}, "softmax(logits) alone"),
    ({"grad": "sign"}, "wrong sign"),
    ({"n": lambda m: m.size}, "all T·B steps"),
    ({"n": lambda m: m.shape[1]}, "batch size B"),
])
def test_uniform_cross_entropy_catalogue(switches, words):
    feedback = check_uniform_cross_entropy(lambda y, m, K: uniform(y, m, K, **switches))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_uniform_cross_entropy_mask_mistakes_and_correct_variants():
    assert check_uniform_cross_entropy(uniform).correct
    assert check_uniform_cross_entropy(lambda y, m, K: tuple(np.float32(a) for a in uniform(y, m, K))).correct
    assert check_uniform_cross_entropy(lambda y, m, K: good_cross_entropy(np.zeros(y.shape + (K,)), y, m)).correct
    ignored = check_uniform_cross_entropy(lambda y, m, K: uniform(y, np.ones_like(m), K))
    assert not ignored.correct and "every step" in ignored.message, ignored.message
    inverted = check_uniform_cross_entropy(lambda y, m, K: uniform(y, ~m, K))
    assert not inverted.correct and "inverted" in inverted.message, inverted.message


def constant(g, lr, t, **switches):
    theta = m = v = np.zeros_like(g, dtype=float)
    before = theta
    with np.errstate(all="ignore"):
        for step in range(1, t + 1):
            before = theta
            theta = adam(theta, g, m, v, step, lr, **switches)[0]
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
    return theta - before


@pytest.mark.parametrize("answer, words", [
    (lambda g, lr, t: constant(g, lr, t, t_shift=1), "off by one step (t + 1)"),
    (lambda g, lr, t: constant(g, lr, t, eps_inside=True), "inside the square root"),
    (lambda g, lr, t: -lr * (1 - 0.9 ** t) * g / (np.sqrt(1 - 0.999 ** t) * np.abs(g) + 1e-8), "Without the bias"),
    (lambda g, lr, t: -lr * g, "plain gradient descent"),
    (lambda g, lr, t: lr * g / (np.abs(g) + 1e-8), "uphill"),
    (lambda g, lr, t: -g / (np.abs(g) + 1e-8), "learning rate is missing"),
])
def test_constant_gradient_step_catalogue(answer, words):
    feedback = check_constant_gradient_step(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


@np.errstate(all="ignore")
def test_constant_gradient_step_names_a_missing_eps_that_makes_nan():
    feedback = check_constant_gradient_step(lambda g, lr, t: -lr * g / np.abs(g))       # 0/0 for a zero gradient
    assert not feedback.correct and "ignores ε" in feedback.message, feedback.message
    for answer in (lambda g, lr, t: -lr * np.sign(g), lambda g, lr, t: -lr * (g / np.abs(g) + 1e-8)):
        feedback = check_constant_gradient_step(answer)
        assert not feedback.correct and "ignores ε, or adds it after the division" in feedback.message, feedback.message


def test_constant_gradient_step_correct_variants_pass():
    assert check_constant_gradient_step(lambda g, lr, t: -lr * g / (np.abs(g) + 1e-8)).correct
    assert check_constant_gradient_step(constant).correct
    assert check_constant_gradient_step(lambda g, lr, t: (-lr * g / (np.sqrt(g * g) + 1e-8)).astype(np.float32)).correct


def size(variant, D, H, bias=True, recurrent=True, at_least=True, count=False):
    parts = {"gru": 3, "coupled": 3, "no_output": 3, "no_forget": 3}.get(variant, 4)
    extra = 3 if variant == "peepholes" else 0

    def n(h):
        return h * D + recurrent * h * h + bias * h

    h = 1
    while (parts * n(h) + extra * h < 4 * n(H)) if at_least else (parts * n(h) + extra * h <= 4 * n(H)):
        h += 1
    return parts * n(h) + extra * h if count else h


@pytest.mark.parametrize("switches, words", [
    ({"bias": False}, "left out the biases"),
    ({"recurrent": False}, "recurrent weights"),
    ({"at_least": False}, "at least as many (≥), not more"),
    ({"count": True}, "a number of parameters"),
])
def test_matching_size_catalogue(switches, words):
    feedback = check_matching_size(lambda v, D, H: size(v, D, H, **switches))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_matching_size_names_one_too_small_and_a_linear_guess():
    small = check_matching_size(lambda v, D, H: size(v, D, H) - 1 if v != "peepholes" else size(v, D, H))
    assert not small.correct and "fewer parameters than the LSTM" in small.message, small.message
    linear = check_matching_size(lambda v, D, H: math.ceil(4 * H / (4 if v == "peepholes" else 3)))
    assert not linear.correct and "in proportion to H" in linear.message, linear.message
    assert check_matching_size(size).correct
    assert check_matching_size(lambda v, D, H: float(size(v, D, H))).correct


B_F = float(np.log(0.5 ** (1 / 40) / (1 - 0.5 ** (1 / 40))))
ADDING = {"hidden_size": 8, "learning_rate": 0.01, "seed": 0, "forget_bias": B_F, "eval_every": 25}


def short_run(task, cell, settings, steps=800, solved_at=None, every=25, accuracy=0.5):
    """A run trained for 3 steps (what the checker trains again), dressed as the whole run."""
    run = train(task, cell, steps=3, progress=False, **{**settings, "eval_every": 3})
    curve = [(s, 0.04, accuracy) for s in range(every, (solved_at or steps) + 1, every)]
    return dataclasses.replace(run, steps=solved_at or steps, curve=curve, solved_at=solved_at)


def test_the_forget_bias_run_is_recognised():
    feedback = check_forget_bias_run(short_run(adding(50), "lstm", ADDING, solved_at=575, accuracy=0.96))
    assert feedback.correct and "reached 95% at step 575" in feedback.message, feedback.message
    assert check_forget_bias_run(short_run(adding(50), "lstm", {**ADDING, "forget_bias": 4.05}, solved_at=600)).correct
    assert "did not reach 95%" in check_forget_bias_run(short_run(adding(50), "lstm", ADDING)).message


@pytest.mark.parametrize("task, cell, changes, words", [
    (adding(50), "lstm", {"forget_bias": None}, "LSTM's own forget bias"),
    (adding(50), "lstm", {"forget_bias": 3.0}, "chapter's b_f = 3"),
    (adding(50), "lstm", {"forget_bias": 4.0}, "rounded the forget bias to 4.0"),
    (adding(50), "lstm", {"learning_rate": 0.001}, "learning rate"),
    (adding(50), "lstm", {"seed": 1}, "another seed"),
    (adding(40), "lstm", {}, "adding(40)"),
    (adding(50), "lstm", {"learning_rate": 0.02}, "with the settings asked"),       # nothing in the catalogue
    (adding(50), "lstm", {"hidden_size": 9}, "hidden_size=9"),
    (adding(50), "gru", {"forget_bias": None}, "You trained 'gru'"),
])
def test_forget_bias_run_catalogue(task, cell, changes, words):
    feedback = check_forget_bias_run(short_run(task, cell, {**ADDING, **changes}))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_forget_bias_run_reads_what_the_run_records():
    run = short_run(adding(50), "lstm", ADDING, every=50)
    assert "measured every 50 steps" in check_forget_bias_run(run).message
    run = short_run(adding(50), "lstm", ADDING, accuracy=0.97)
    assert "pass target_accuracy=0.95" in check_forget_bias_run(run).message
    assert "has 400 steps" in check_forget_bias_run(short_run(adding(50), "lstm", ADDING, steps=400)).message
    run = dataclasses.replace(short_run(adding(50), "lstm", ADDING), diverged=True)
    assert "diverged" in check_forget_bias_run(run).message
    assert "not there yet" in check_forget_bias_run(None).message
    assert "not a function" in check_forget_bias_run(train).message
    assert "TrainResult" in check_forget_bias_run(575).message


def test_the_matching_size_run_is_recognised():
    gru = {"hidden_size": 10, "learning_rate": 0.01}
    assert check_matching_size_run(short_run(temporal_order(40), "gru", gru, steps=200, every=50)).correct
    wrong = check_matching_size_run(short_run(temporal_order(40), "gru", {**gru, "hidden_size": 8}, steps=200, every=50))
    assert not wrong.correct and "hidden_size=8" in wrong.message, wrong.message
    wrong = check_matching_size_run(short_run(temporal_order(50), "gru", gru, steps=200, every=50))
    assert not wrong.correct and "temporal_order(50)" in wrong.message, wrong.message


@pytest.mark.parametrize("answer, words", [
    (lambda c: c.astype(float), "counts themselves"),
    (lambda c: c / c.sum(), "frequencies themselves"),
    (lambda c: np.log2(c / c.sum()), "log2"),
    (lambda c: -np.log(c), "sign is wrong"),
    (lambda c: np.log(c + 1.0), "added one"),
    (lambda c: np.log(c) / c.sum(), "only adding a constant"),
])
def test_unigram_bias_catalogue(answer, words):
    feedback = check_unigram_bias(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


def test_unigram_bias_accepts_any_constant_and_float32():
    assert check_unigram_bias(lambda c: np.log(c)).correct
    assert check_unigram_bias(lambda c: np.log(c / c.sum()) - 7.0).correct
    assert check_unigram_bias(lambda c: np.log(c).astype(np.float32)).correct
    integers = check_unigram_bias(lambda c: np.round(np.log(c)).astype(int))
    assert not integers.correct and "integer dtype" in integers.message, integers.message
