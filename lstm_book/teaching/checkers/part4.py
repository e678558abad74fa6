"""Checkers for the exercises of Part IV. Chapter 12: the softmax with a temperature, evaluation in chunks with
the state carried, and the gradient of the loss with respect to the temperature (an answer the chapter does not
give). Chapter 13: a feature the chapter does not define (the characters left on the line), Pearson's r with a 0/1
feature from the two groups' means, and the mean slope of a gate. Each runs the reader's function on seeded cases
with the runner shared by every checker, compares with `lstm_book` or with an answer worked out here (the
temperature's gradient is checked against finite differences by the tests), and names the usual mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_book.charlm import charlm_forward, evaluate_bits, init_charlm, softmax
from lstm_book.params import Params
from lstm_book.text import streams
from lstm_book.units import text_features

from .diagnoses import Mistake, single
from .runner import Feedback, check, no_batches

__all__ = ["check_softmax_with_temperature", "check_evaluate_in_chunks", "check_char_temperature_gradient",
           "check_chars_to_line_end", "check_binary_correlation", "check_mean_gate_slope"]


def _logit_cases() -> list[dict]:
    rng = np.random.default_rng(2015)
    cases = [{"logits": rng.normal(0, 2.0, 5), "temperature": tau} for tau in (1.0, 0.5, 2.5)]
    cases.append({"logits": rng.normal(0, 2.0, (3, 4)), "temperature": 0.7})
    cases.append({"logits": np.array([900.0, 0.0, -3.0]), "temperature": 0.5})     # e^1800 overflows
    return cases


_SOFTMAX_HINT = ("Return p with the shape of logits: exp(logits / temperature), normalised over the last axis "
                 "(keepdims=True), after subtracting the largest scaled logit.")


def check_softmax_with_temperature(function) -> Feedback:
    """Check a reader's ``softmax_with_temperature(logits, temperature)`` -> p, the shape of logits."""
    def plain(z, tau):
        return softmax(z, 1.0)

    def times(z, tau):
        return softmax(z * tau, 1.0)

    def whole_array(z, tau):
        e = np.exp((z - z.max()) / tau)
        return e / e.sum()

    def no_normalise(z, tau):
        return np.exp((z - z.max(axis=-1, keepdims=True)) / tau)

    mistakes = [
        Mistake(plain, "Your probabilities do not depend on the temperature: divide the logits by it first, "
                       "softmax(logits / temperature)."),
        Mistake(times, "You multiplied the logits by the temperature: divide them by it. A temperature below 1 "
                       "must sharpen the distribution (largest logit more likely), above 1 flatten it."),
        Mistake(whole_array, "For a batch of rows you normalised over the whole array: each row (the last axis) "
                             "must sum to 1 on its own; use axis=-1, keepdims=True."),
        Mistake(no_normalise, "Your values do not sum to 1: divide by their sum over the last axis."),
    ]
    cases = _logit_cases()

    def diagnose(got, expected, case):
        if case is cases[-1] and not np.all(np.isfinite(np.asarray(got, dtype=float))):
            return ("With a logit of 900 at temperature 0.5 your result is not finite: e^1800 overflows. Subtract "
                    "the largest scaled logit of each row before exponentiating; the probabilities do not change.")
        return single("p", mistakes, _SOFTMAX_HINT)(got, expected, case)

    return check("softmax_with_temperature", function, softmax, cases, diagnose, ["logits", "temperature"],
                 _SOFTMAX_HINT, "one row and a batch, temperatures 0.5 to 2.5, and a logit of 900",
                 batched=no_batches)


def _chunk_cases() -> list[dict]:
    rng = np.random.default_rng(2011)
    cases = []
    for V, H, N, B, T in ((5, 4, 41, 2, 3), (6, 3, 60, 3, 4), (4, 2, 30, 1, 7)):
        params = init_charlm(V, H, seed=int(rng.integers(100)))
        params = Params({k: v + rng.normal(0, 0.5, v.shape).astype(np.float32) for k, v in params.items()},
                        params.layout)
        inputs, targets = streams(rng.integers(0, V, N), B)
        cases.append({"params": params, "inputs": inputs, "targets": targets, "seq_len": T})
    return cases


def _chunks(params, inputs, targets, T, carry=True, weighted=True, nats=False):
    """The mistakes' evaluation: state reset at every chunk, chunk means averaged as equals, or nats."""
    B, H = inputs.shape[1], params["W_hi"].shape[1]
    h = c = np.zeros((B, H), np.float32)
    totals, sizes = [], []
    for s in range(0, len(inputs), T):
        logits, trace = charlm_forward(params, inputs[s:s + T], h, c)
        p = softmax(logits.astype(np.float64))
        picked = np.take_along_axis(p, targets[s:s + T, :, None], -1)
        totals.append(-np.log(picked).sum())
        sizes.append(picked.size)
        if carry:
            h, c = trace.h[-1], trace.c[-1]
    unit = 1.0 if nats else math.log(2)
    if weighted:
        return sum(totals) / sum(sizes) / unit
    return float(np.mean([t / n for t, n in zip(totals, sizes)])) / unit


_CHUNK_HINT = ("Return one number: the mean of -log2 p(target) over every character of every stream. Start from "
               "h = c = zeros((B, H)); after each chunk, start the next from trace.h[-1] and trace.c[-1].")


def check_evaluate_in_chunks(function) -> Feedback:
    """Check a reader's ``evaluate_in_chunks(params, inputs, targets, seq_len)`` -> bits per character."""
    mistakes = [
        Mistake(lambda p, i, t, T: _chunks(p, i, t, T, carry=False),
                "Every chunk starts from zeros: carry the state. The next chunk must start from the last h and c "
                "of this one (trace.h[-1], trace.c[-1]), as the streams continue there."),
        Mistake(lambda p, i, t, T: _chunks(p, i, t, T, weighted=False),
                "You averaged the chunks' means as equals, but the last chunk is shorter: add up -log2 p over "
                "every character and divide by the number of characters."),
        Mistake(lambda p, i, t, T: _chunks(p, i, t, T, nats=True),
                "Your loss is in nats (natural logarithm): bits per character use log2 (divide by ln 2)."),
    ]
    return check("evaluate_in_chunks", function, evaluate_bits, _chunk_cases(),
                 _one_number(single("bits", mistakes, _CHUNK_HINT)), ["params", "inputs", "targets", "seq_len"], _CHUNK_HINT,
                 "three models, one to three streams, chunks that do not divide the text", batched=no_batches)


def _one_number(diagnose):
    """A diagnosis for a function that returns one number: a tuple or list is said to be one first."""
    def one(got, expected, case):
        if isinstance(got, (tuple, list)):
            return f"it returned {len(got)} values ({type(got).__name__}); return one number."
        return diagnose(got, expected, case)
    return one


def temperature_gradient(logits, label, temperature):
    """dL/dτ of L = -log softmax(logits / τ)[label]: (z_label - Σ_k p_k z_k) / τ² with p = softmax(z / τ)."""
    p = softmax(logits, temperature)
    return (np.take_along_axis(logits, np.asarray(label)[..., None], -1)[..., 0] - np.sum(p * logits, axis=-1)) \
        / temperature ** 2


def _gradient_cases() -> list[dict]:
    rng = np.random.default_rng(1990)
    return [{"logits": rng.normal(0, 2.0, 6), "label": np.int64(k), "temperature": tau}
            for k, tau in ((2, 1.0), (0, 0.6), (5, 1.8), (3, 0.3))]


_GRADIENT_HINT = ("Return one number, dL/dτ for L = -log p_label with p = softmax(logits / τ). Write L with "
                  "u = logits / τ, differentiate through u (du/dτ = -logits / τ²).")


def check_char_temperature_gradient(function) -> Feedback:
    """Check a reader's ``temperature_gradient(logits, label, temperature)`` -> dL/dτ (a number)."""
    def sign(z, y, tau):
        return -temperature_gradient(z, y, tau)

    def one_tau(z, y, tau):
        return temperature_gradient(z, y, tau) * tau

    def p_at_one(z, y, tau):
        return (z[y] - np.sum(softmax(z, 1.0) * z)) / tau ** 2

    def bits(z, y, tau):
        return temperature_gradient(z, y, tau) / math.log(2)

    mistakes = [
        Mistake(sign, "Your gradient has the wrong sign. Raising τ flattens p; when the label is the likeliest "
                      "character that makes the loss larger, so dL/dτ > 0 there."),
        Mistake(one_tau, "You have 1/τ where the derivative has 1/τ²: d(z/τ)/dτ = -z/τ²."),
        Mistake(p_at_one, "You used p = softmax(logits) at τ = 1: the probabilities in the gradient are those at "
                          "the temperature, softmax(logits / τ)."),
        Mistake(bits, "Your gradient is of the loss in bits: the exercise asks for the loss in nats, -ln p_label."),
    ]
    return check("temperature_gradient", function, temperature_gradient, _gradient_cases(),
                 _one_number(single("dL/dτ", mistakes, _GRADIENT_HINT)), ["logits", "label", "temperature"], _GRADIENT_HINT,
                 "four labels and temperatures from 0.3 to 1.8", batched=no_batches)


# ---------------------------------------------------------------- chapter 13: what the units learned

def chars_to_line_end(text):
    """The characters still to be read before the next line break (or the end of the text), at every character
    of `text`: (position of the first line break after t, or N) - t - 1. At a line break: the next line's length."""
    N = len(text)
    breaks = [t for t, ch in enumerate(text) if ch == "\n"] + [N]
    out, k = np.empty(N), 0
    for t in range(N):
        while breaks[k] <= t:
            k += 1
        out[t] = breaks[k] - t - 1
    return out


def _text_cases() -> list[dict]:
    return [{"text": text} for text in ("ab\ncd e\n", "def f(x):\n    return x\n\n", "x = 1", "\n\n  a\n",
                                        "if a:\n    b = (1,\n         2)\nc")]


_LINE_END_HINT = ("Return a float array of len(text) numbers: at character t, how many characters come after it before "
                  "the next line break (or the end of the text); at a line break, the length of the next line.")


def check_chars_to_line_end(function) -> Feedback:
    """Check a reader's ``chars_to_line_end(text)`` -> (N,) numbers."""
    def column_left(text):       # counts the line break too
        return chars_to_line_end(text) + 1

    def column(text):            # the column, not what is left
        return text_features(text)["column"]

    def zero_at_break(text):     # the line break ends its own line
        return np.where(np.array(list(text)) == "\n", 0, chars_to_line_end(text)) if text else np.zeros(0)

    mistakes = [
        Mistake(column_left, "Your count includes the line break itself (or counts the character t): count only "
                             "the characters strictly after t and before the next line break."),
        Mistake(column, "That is the column (the characters read so far on the line): the exercise asks for what "
                        "is still to come before the next line break."),
        Mistake(zero_at_break, "At a line break your value is 0: after reading a line break the model is at the "
                               "start of the next line, so what remains is that whole next line's length."),
    ]
    return check("chars_to_line_end", function, chars_to_line_end, _text_cases(),
                 single("chars to line end", mistakes, _LINE_END_HINT), ["text"], _LINE_END_HINT,
                 "five texts: blank lines, a last line without a line break, indented lines", batched=no_batches)


def _binary_cases() -> list[dict]:
    rng = np.random.default_rng(2016)
    cases = []
    for N, H, p in ((12, 3, 0.25), (40, 5, 0.5), (25, 1, 0.16)):
        inside = np.zeros(N, bool)
        inside[rng.permutation(N)[:round(p * N)]] = True
        cases.append({"values": rng.normal(0, 1, (N, H)) + 1.5 * inside[:, None] * rng.normal(0, 1, H),
                      "inside": inside})
    return cases


def binary_correlation(values, inside):
    """Pearson's r of each column of values (N, H) with a 0/1 feature (N,), from the two groups' means."""
    p = inside.mean()
    return (values[inside].mean(axis=0) - values[~inside].mean(axis=0)) * np.sqrt(p * (1 - p)) / values.std(axis=0)


_BINARY_HINT = ("Return one r per unit, shape (H,): (mean inside - mean outside) times sqrt(p (1 - p)), divided "
                "by the unit's standard deviation over all N characters (np.std, which divides by N).")


def check_binary_correlation(function) -> Feedback:
    """Check a reader's ``binary_correlation(values, inside)`` -> (H,), Pearson's r with a 0/1 feature."""
    def no_p(v, b):
        return (v[b].mean(axis=0) - v[~b].mean(axis=0)) / v.std(axis=0)

    def p_not_root(v, b):
        return binary_correlation(v, b) * np.sqrt(b.mean() * (1 - b.mean()))

    def sign(v, b):
        return -binary_correlation(v, b)

    def sample_std(v, b):
        return binary_correlation(v, b) * v.std(axis=0) / v.std(axis=0, ddof=1)

    mistakes = [
        Mistake(no_p, "You left out the factor sqrt(p (1 - p)), p the share of characters inside: a difference of "
                      "means alone can exceed 1; r also depends on how the characters split between the groups."),
        Mistake(p_not_root, "Your factor is p (1 - p) where it is its square root: the covariance holds p (1 - p), "
                            "and the feature's standard deviation divides out one sqrt(p (1 - p))."),
        Mistake(sign, "Your r has the wrong sign: it is positive when the unit is higher inside (mean inside minus "
                      "mean outside)."),
        Mistake(sample_std, "You divided by the standard deviation with N - 1 (ddof=1), but the means and the "
                            "covariance divide by N: use np.std(values, axis=0), which divides by N."),
    ]
    return check("binary_correlation", function, binary_correlation, _binary_cases(),
                 single("r", mistakes, _BINARY_HINT), ["values", "inside"], _BINARY_HINT,
                 "three sets of units, with a quarter, a half and a sixth of the characters inside",
                 batched=no_batches)


def mean_gate_slope(values):
    """The mean over time (axis 0) of the sigmoid's slope at each gate value g: σ'(z) = g (1 - g)."""
    return np.mean(values * (1 - values), axis=0)


def _slope_cases() -> list[dict]:
    rng = np.random.default_rng(2017)
    return [{"values": 1 / (1 + np.exp(-rng.normal(m, s, (N, H))))} for N, H, m, s in ((6, 3, 0.0, 1.0),
                                                                                       (20, 4, 2.5, 2.0),
                                                                                       (9, 1, -1.0, 3.0))]


_SLOPE_HINT = ("Return one number per unit, shape (H,): the mean over the N steps (axis 0) of g (1 - g), the "
               "sigmoid's derivative written with its own value g = σ(z).")


def check_mean_gate_slope(function) -> Feedback:
    """Check a reader's ``mean_gate_slope(values)`` -> (H,), the mean of σ'(z) = g (1 - g) over axis 0."""
    mistakes = [
        Mistake(lambda g: np.mean(1 - g ** 2, axis=0), "1 - g² is the derivative of tanh: the gates use the "
                                                        "sigmoid, whose derivative is σ(z) (1 - σ(z)) = g (1 - g)."),
        Mistake(lambda g: np.mean(g * (1 - g), axis=1), "You averaged over the units (axis 1): average over the "
                                                         "steps (axis 0), one number per unit."),
        Mistake(lambda g: np.mean(1 / (1 + np.exp(-g)) * (1 - 1 / (1 + np.exp(-g))), axis=0),
                "You applied the sigmoid again: the values are already g = σ(z), so the slope is g (1 - g)."),
    ]
    return check("mean_gate_slope", function, mean_gate_slope, _slope_cases(),
                 single("mean slope", mistakes, _SLOPE_HINT), ["values"], _SLOPE_HINT,
                 "three gates: balanced, mostly open, and widely spread", batched=no_batches)
