"""What learners actually write for the nine exercises of Part IV (chapters 12, 13, 14), tried against their checkers.

Written, like test_learner_mistakes.py for Part I, from the exercise statements alone (before reading the checkers or
their catalogues): each wrong implementation is what a reader plausibly writes, with the fragment of the message it
must get. Every one is rejected, never crashes the checker, lets no warning escape, and is told something that points
to the mistake. The unusual but correct implementations (loops, einsum, float32, logsumexp, a cumulative product,
equivalent formulas, ...) must all be accepted.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from lstm_book.charlm import charlm_forward, evaluate_bits, softmax
from lstm_book.teaching.checkers import (
    Feedback, check_binary_correlation, check_chars_to_line_end, check_evaluate_in_chunks, check_factor_per_step,
    check_initial_rnn_factor, check_mean_gate_slope, check_memory_path, check_softmax_with_temperature,
    check_unigram_bias,
)


def _assert_rejected(feedback, name, fragment):
    assert isinstance(feedback, Feedback), name
    assert not feedback.correct, f"{name} was accepted: {feedback.message}"
    assert fragment in feedback.message, f"{name}: {feedback.message}"
    assert "Traceback" not in feedback.message


def _strict(checker, function):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return checker(function)


def _log_softmax_rows(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


# ------------------------------------------------------------------------------ 12.1 softmax with a temperature

def _sm_no_shift(y, tau):
    e = np.exp(y / tau)                                     # overflows at 900
    return e / e.sum(axis=-1, keepdims=True)


def _sm(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sm_global_max(y, tau):
    z = y / tau
    e = np.exp(z - z.max())                                 # one maximum for the whole batch
    return e / e.sum(axis=-1, keepdims=True)


def _sm_whole_sum(y, tau):
    z = y / tau
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()                                      # right for one row only


def _sm_in_place(y, tau):
    y /= tau                                                # divides the caller's scores
    y -= y.max(axis=-1, keepdims=True)
    e = np.exp(y)
    return e / e.sum(axis=-1, keepdims=True)


def _sm_clipped(y, tau):
    e = np.exp(np.clip(y / tau, -50, 50))                  # "clip so that exp cannot overflow"
    return e / e.sum(axis=-1, keepdims=True)


SOFTMAX_WRONG = [
    ("the temperature forgotten", lambda y, tau: _sm(y), "do not depend on the temperature"),
    ("multiplied by the temperature", lambda y, tau: _sm(y * tau), "multiplied the logits by the temperature"),
    ("divided by τ twice", lambda y, tau: _sm(y / tau ** 2), "temperature twice"),
    ("no shift by the maximum", _sm_no_shift, "overflows"),
    ("normalized over the first axis", lambda y, tau: (lambda e: e / e.sum(axis=0, keepdims=True))(
        np.exp(y / tau - (y / tau).max(axis=0, keepdims=True))), "axis=0"),
    ("one maximum for the whole batch", _sm_global_max, "one maximum for the whole batch"),
    ("one sum for the whole batch", _sm_whole_sum, "whole array"),
    ("the log-probabilities", lambda y, tau: _log_softmax_rows(y / tau), "log-probabilities"),
    ("changes the caller's logits", _sm_in_place, "changes its input `logits`"),
    ("clips the scaled scores", _sm_clipped, "clipping"),
]


def _sm_loops(y, tau):
    rows = np.atleast_2d(np.asarray(y, dtype=float))
    out = np.empty_like(rows)
    for n, row in enumerate(rows):
        top = max(row) / tau
        weights = [math.exp(v / tau - top) for v in row]
        total = sum(weights)
        out[n] = [w / total for w in weights]
    return out.reshape(np.shape(y))


SOFTMAX_CORRECT = {
    "shift first, then divide": lambda y, tau: _sm((y - y.max(axis=-1, keepdims=True)) / tau),
    "exp of the log-softmax": lambda y, tau: np.exp(_log_softmax_rows(y / tau)),
    "float32 throughout": lambda y, tau: _sm(np.asarray(y, np.float32) / np.float32(tau)),
    "explicit loops with math.exp": _sm_loops,
    "the package's softmax": lambda y, tau: softmax(y, tau),
}


# ------------------------------------------------------------------------------ 12.2 bits per character, in chunks

def _chunks(params, inputs, targets, seq_len, *, carry="both", last=True, log=np.log2, per_chunk_mean=False,
            divide_by=None, state_from=-1, against=None, p_dtype=np.float64):
    B, H = inputs.shape[1], params["W_hi"].shape[1]
    h = c = np.zeros((B, H), np.float32)
    total, means = 0.0, []
    stop = len(inputs) if last else len(inputs) - len(inputs) % seq_len
    for start in range(0, stop, seq_len):
        if carry == "none":
            h = c = np.zeros((B, H), np.float32)
        logits, trace = charlm_forward(params, inputs[start:start + seq_len], h, c)
        p = softmax(logits.astype(p_dtype))
        wanted = (targets if against is None else against)[start:start + seq_len]
        bits = -log(np.take_along_axis(p, wanted[:, :, None], axis=-1))
        total += bits.sum()
        means.append(bits.mean())
        if carry == "both":
            h, c = trace.h[state_from], trace.c[state_from]
        elif carry == "swapped":
            h, c = trace.c[-1], trace.h[-1]
        elif carry == "h only":
            h = trace.h[-1]
    if per_chunk_mean:
        return float(np.mean(means))
    return total / (targets.size if divide_by is None else divide_by(targets))


CHUNK_WRONG = [
    ("the state reset at every chunk", lambda p, x, y, T: _chunks(p, x, y, T, carry="none"), "carry the state"),
    ("only h carried", lambda p, x, y, T: _chunks(p, x, y, T, carry="h only"), "carried h but not c"),
    ("h and c swapped when carried", lambda p, x, y, T: _chunks(p, x, y, T, carry="swapped"), "swapped"),
    ("the state of the chunk's first step carried", lambda p, x, y, T: _chunks(p, x, y, T, state_from=0), "first step"),
    ("the last, shorter chunk left out", lambda p, x, y, T: _chunks(p, x, y, T, last=False), "last, shorter chunk"),
    ("the mean of the chunks' means", lambda p, x, y, T: _chunks(p, x, y, T, per_chunk_mean=True), "chunks' means"),
    ("nats instead of bits", lambda p, x, y, T: _chunks(p, x, y, T, log=np.log), "nats"),
    ("divided by the length only", lambda p, x, y, T: _chunks(p, x, y, T, divide_by=len), "B streams"),
    ("scored against the inputs", lambda p, x, y, T: _chunks(p, x, y, T, against=x), "targets[t]"),
    ("the total, not per character", lambda p, x, y, T: _chunks(p, x, y, T, divide_by=lambda t: 1),
     "total number of bits"),
]


def _chunks_logsumexp(params, inputs, targets, seq_len):
    h = c = None
    total = 0.0
    for start in range(0, len(inputs), seq_len):
        logits, trace = charlm_forward(params, inputs[start:start + seq_len], h, c)
        log_p = _log_softmax_rows(logits.astype(np.float64))
        total -= np.take_along_axis(log_p, targets[start:start + seq_len, :, None], axis=-1).sum() / np.log(2)
        h, c = trace.h[-1], trace.c[-1]
    return float(total / targets.size)


def _chunks_loop_over_steps(params, inputs, targets, seq_len):
    h = c = None
    bits = []
    start = 0
    while start < len(inputs):
        logits, trace = charlm_forward(params, inputs[start:start + seq_len], h, c)
        for t in range(len(logits)):
            for b in range(logits.shape[1]):
                bits.append(-math.log2(softmax(logits[t, b])[targets[start + t, b]]))
        h, c = trace.h[-1].copy(), trace.c[-1].copy()
        start += seq_len
    return sum(bits) / len(bits)


CHUNK_CORRECT = {
    "a log-softmax in nats, divided by ln 2": _chunks_logsumexp,
    "a loop over every character": _chunks_loop_over_steps,
    "float32 probabilities": lambda p, x, y, T: _chunks(p, x, y, T, p_dtype=np.float32),
    "the package's evaluate_bits": lambda p, x, y, T: evaluate_bits(p, x, y, T),
}


# ------------------------------------------------------------------------------ 12.3 the best bias alone

def _log_with_a_shift(counts):
    counts = np.asarray(counts, dtype=float)
    return np.log(counts / counts.sum()) + 3.0


BIAS_WRONG = [
    ("the counts themselves", lambda n: np.asarray(n, dtype=float), "counts themselves"),
    ("the frequencies", lambda n: np.asarray(n, dtype=float) / np.sum(n), "frequencies themselves"),
    ("log base 2", lambda n: np.log2(n), "log2"),
    ("log base 10", lambda n: np.log10(n), "log10"),
    ("minus the log", lambda n: -np.log(n), "sign is wrong"),
    ("the add-one count", lambda n: np.log(np.asarray(n, dtype=float) + 1), "added one"),
    ("log1p, the add-one count by another name", lambda n: np.log1p(n), "added one"),
    ("ln(counts) divided by N", lambda n: np.log(n) / np.sum(n), "Dividing ln(counts) by N"),
    ("one too few of each", lambda n: np.log(np.asarray(n, dtype=float) - 1), "took one away"),
]

BIAS_CORRECT = {
    "log of the frequencies plus a constant": _log_with_a_shift,
    "math.log in a loop": lambda n: np.array([math.log(k) for k in n]),
    "float32": lambda n: np.log(np.asarray(n, dtype=np.float32)),
    "log relative to the largest count": lambda n: np.log(np.asarray(n, dtype=float) / np.max(n)),
}


# ------------------------------------------------------------------------------ 13.1 characters to the line's end

def _to_end_backwards(text, *, include_self=False, break_value="next line"):
    left, out = 0, np.zeros(len(text))
    for t in range(len(text) - 1, -1, -1):
        out[t] = left + (1 if include_self else 0)
        if text[t] == "\n":
            if break_value == "zero":
                out[t] = 0
            left = 0
        else:
            left += 1
    return out


def _column(text):
    out, col = np.zeros(len(text)), 0
    for t, ch in enumerate(text):
        out[t] = col
        col = 0 if ch == "\n" else col + 1
    return out


def _with_index(text):
    return np.array([float(text.index("\n", t + 1) - t - 1) for t in range(len(text))])   # no break on the last line


def _drops_the_last(text):
    return _to_end_backwards(text)[:-1]


def _as_list(text):
    return list(_to_end_backwards(text))


LINE_END_WRONG = [
    ("counts the character itself", lambda s: _to_end_backwards(s, include_self=True), "line break itself"),
    ("0 at a line break", lambda s: _to_end_backwards(s, break_value="zero"), "At a line break your value is 0"),
    ("the column instead", _column, "column"),
    ("to the end of the text", lambda s: np.arange(len(s) - 1, -1, -1, dtype=float), "end of the text"),
    ("str.index with no break left", _with_index, "raised ValueError"),
    ("one number short", _drops_the_last, "len(text)"),
]


def _with_find(text):
    out = []
    for t in range(len(text)):
        end = text.find("\n", t + 1)
        out.append((len(text) if end < 0 else end) - t - 1)
    return np.array(out, dtype=float)


def _with_split(text):
    out = []
    lines = text.split("\n")
    for k, line in enumerate(lines):
        out.extend(range(len(line) - 1, -1, -1))
        if k + 1 < len(lines):
            out.append(len(lines[k + 1]))                    # the line break: the next line's length
    return np.array(out, dtype=float)


def _vectorized(text):
    n = len(text)
    breaks = np.array([t for t, ch in enumerate(text) if ch == "\n"] + [n])
    nxt = breaks[np.searchsorted(breaks, np.arange(n) + 1)]
    return (nxt - np.arange(n) - 1).astype(np.float64)


LINE_END_CORRECT = {
    "str.find in a loop": _with_find,
    "str.split by lines": _with_split,
    "searchsorted over the breaks": _vectorized,
    "float32": lambda s: _to_end_backwards(s).astype(np.float32),
}


# ------------------------------------------------------------------------------ 13.2 Pearson's r of a 0/1 feature

def _binary(values, inside, *, ddof=0, root=True, flip=False, p_as_count=False, std_axis=0, divide_by_var=False):
    inside = np.asarray(inside, dtype=bool)
    p = inside.sum() if p_as_count else inside.mean()
    diff = values[inside].mean(axis=0) - values[~inside].mean(axis=0)
    if flip:
        diff = -diff
    spread = values.std(axis=std_axis, ddof=ddof)
    if divide_by_var:
        spread = spread ** 2
    scale = np.sqrt(p * (1 - p)) if root else p * (1 - p)
    return diff * scale / spread


BINARY_WRONG = [
    ("the sample standard deviation", lambda v, b: _binary(v, b, ddof=1), "ddof=1"),
    ("no square root of p(1 − p)", lambda v, b: _binary(v, b, root=False), "square root"),
    ("the means subtracted the wrong way", lambda v, b: _binary(v, b, flip=True), "wrong sign"),
    ("one spread for all units", lambda v, b: _binary(v, b, std_axis=None), "own spread"),
    ("divided by the variance", lambda v, b: _binary(v, b, divide_by_var=True), "divided by the variance"),
    ("p as a count", lambda v, b: _binary(v, b, p_as_count=True), "share"),
    ("the spread of the inside only", lambda v, b: (lambda bb: (v[bb].mean(0) - v[~bb].mean(0))
                                                    * np.sqrt(bb.mean() * (1 - bb.mean())) / v[bb].std(0))(
        np.asarray(b, bool)), "inside only"),
    ("the overall means", lambda v, b: (lambda bb: (v[bb].mean() - v[~bb].mean()) * np.sqrt(bb.mean() * (1 - bb.mean()))
                                        / v.std(0))(np.asarray(b, bool)), "each unit's r"),
]


def _binary_corrcoef(values, inside):
    b = np.asarray(inside, dtype=float)
    return np.array([np.corrcoef(values[:, k], b)[0, 1] for k in range(values.shape[1])])


def _binary_einsum(values, inside):
    b = np.asarray(inside, dtype=float)
    centred = values - values.mean(axis=0)
    bc = b - b.mean()
    cov = np.einsum("n,nh->h", bc, centred) / len(b)
    return cov / (values.std(axis=0) * bc.std())


def _binary_sample(values, inside):
    b = np.asarray(inside, dtype=float)
    cov = ((b - b.mean())[:, None] * (values - values.mean(axis=0))).sum(axis=0) / (len(b) - 1)
    return cov / (values.std(axis=0, ddof=1) * b.std(ddof=1))


def _binary_with_where(values, inside):
    inside = np.asarray(inside, dtype=bool)
    n1 = inside.sum()
    n0 = len(inside) - n1
    v1 = np.where(inside[:, None], values, 0).sum(axis=0) / n1
    v0 = np.where(inside[:, None], 0, values).sum(axis=0) / n0
    p = n1 / len(inside)
    return (v1 - v0) * math.sqrt(p * (1 - p)) / values.std(axis=0)


BINARY_CORRECT = {
    "np.corrcoef unit by unit": _binary_corrcoef,
    "the covariance by einsum": _binary_einsum,
    "means with np.where": _binary_with_where,
    "ddof=1 in the covariance and both spreads": _binary_sample,
}


# ------------------------------------------------------------------------------ 13.3 the mean slope of a gate

def _sig(z):
    return 1 / (1 + np.exp(-z))


SLOPE_WRONG = [
    ("the values taken for z", lambda g: np.mean(_sig(g) * (1 - _sig(g)), axis=0), "sigmoid again"),
    ("the mean over the units", lambda g: np.mean(g * (1 - g), axis=1), "axis 1"),
    ("no mean", lambda g: g * (1 - g), "slope at every step"),
    ("the slope of the mean", lambda g: g.mean(axis=0) * (1 - g.mean(axis=0)), "slope at the mean"),
    ("the slope of tanh", lambda g: np.mean(1 - g ** 2, axis=0), "tanh"),
    ("the sum over the characters", lambda g: np.sum(g * (1 - g), axis=0), "summed"),
    ("g(1 + g)", lambda g: np.mean(g * (1 + g), axis=0), "not g (1 + g)"),
]


def _slope_loops(values):
    n, h = values.shape
    return np.array([sum(values[t, k] * (1 - values[t, k]) for t in range(n)) / n for k in range(h)])


SLOPE_CORRECT = {
    "g − g²": lambda g: np.mean(g - g ** 2, axis=0),
    "two means": lambda g: g.mean(axis=0) - (g ** 2).mean(axis=0),
    "einsum": lambda g: np.einsum("nh,nh->h", g, 1 - g) / len(g),
    "explicit loops": _slope_loops,
    "float32": lambda g: np.mean(np.asarray(g, np.float32) * (1 - np.asarray(g, np.float32)), axis=0),
}


# ------------------------------------------------------------------------------ 14.1 the factor per step

def _mean_of_ratios(g, first, last):
    g = np.asarray(g, dtype=float)
    return float(np.mean(g[first + 1:last + 1] / g[first:last]))


FACTOR_WRONG = [
    ("the mean of the neighbours' ratios", _mean_of_ratios, "geometric mean"),
    ("one step too many in the root", lambda g, a, b: (g[b] / g[a]) ** (1 / (b - a + 1)), "one step too many"),
    ("the ratio the other way", lambda g, a, b: (g[a] / g[b]) ** (1 / (b - a)), "inverse"),
    ("no root", lambda g, a, b: g[b] / g[a], "whole range"),
    ("the fall per step, not the factor", lambda g, a, b: (g[b] - g[a]) / (b - a), "a ratio"),
    ("last taken as exclusive", lambda g, a, b: (g[b - 1] / g[a]) ** (1 / (b - a)), "g[last − 1]"),
    ("log10 undone by exp", lambda g, a, b: math.exp(math.log10(g[b] / g[a]) / (b - a)), "mixed two bases"),
    ("the whole profile's ends", lambda g, a, b: (g[-1] / g[0]) ** (1 / (len(g) - 1)), "whole profile"),
]


def _factor_by_logs(g, first, last):
    return float(np.exp(np.mean(np.diff(np.log(g[first:last + 1])))))


def _factor_loop(g, first, last):
    product = 1.0
    for d in range(first, last):
        product *= g[d + 1] / g[d]
    return product ** (1 / (last - first))


FACTOR_CORRECT = {
    "the mean of the log-ratios": _factor_by_logs,
    "a product of ratios in a loop": _factor_loop,
    "base 10 both ways": lambda g, a, b: 10 ** ((math.log10(g[b]) - math.log10(g[a])) / (b - a)),
    "np.prod of the ratios": lambda g, a, b: np.prod(np.asarray(g[a + 1:b + 1]) / np.asarray(g[a:b])) ** (1 / (b - a)),
}


# ------------------------------------------------------------------------------ 14.2 the memory path

def _memory(e, f, i, j, c_prev, W_xi, W_xj, W_xf, *, with_own_f=False, forwards=False, c_like=None, terms="ijf",
            tanh_slope=lambda i: 1 - i ** 2, j_term=lambda i, j: i * j * (1 - j), transposed=False):
    t = len(f)
    delta = np.empty_like(f)
    carried = e
    order = range(t) if forwards else reversed(range(t))
    for s in order:
        if with_own_f:
            carried = carried * f[s]
        delta[s] = carried
        if not with_own_f:
            carried = carried * f[s]
    c_used = c_prev if c_like is None else c_like(c_prev, f, i, j)
    out = 0
    weight = (lambda W: W.T) if transposed else (lambda W: W)
    if "i" in terms:
        out = out + (delta * j * tanh_slope(i)) @ weight(W_xi)
    if "j" in terms:
        out = out + (delta * j_term(i, j)) @ weight(W_xj)
    if "f" in terms:
        out = out + (delta * c_used * f * (1 - f)) @ weight(W_xf)
    return out


def _memory_in_place(e, f, i, j, c_prev, W_xi, W_xj, W_xf):
    delta = np.empty_like(f)
    carried = e
    for s in reversed(range(len(f))):
        delta[s] = carried
        carried *= f[s]                                     # multiplies the caller's e in place
    return ((delta * j * (1 - i ** 2)) @ W_xi + (delta * i * j * (1 - j)) @ W_xj
            + (delta * c_prev * f * (1 - f)) @ W_xf)


MEMORY_WRONG = [
    ("δ_s includes f_s", lambda *a: _memory(*a, with_own_f=True), "f_s is not on that way"),
    ("the gates multiplied from the first step", lambda *a: _memory(*a, forwards=True), "wrong way"),
    ("c_s for c_{s-1}", lambda *a: _memory(*a, c_like=lambda c, f, i, j: c * f + i * j), "c_{s−1}"),
    ("the forget gate's term left out", lambda *a: _memory(*a, terms="ij"), "forget gate's own part"),
    ("the input gate's term left out", lambda *a: _memory(*a, terms="if"), "input gate's own part"),
    ("the candidate's term left out", lambda *a: _memory(*a, terms="jf"), "input state's own part"),
    ("tanh' as 1 − i", lambda *a: _memory(*a, tanh_slope=lambda i: 1 - i), "1 − i_s²"),
    ("σ' without i_s", lambda *a: _memory(*a, j_term=lambda i, j: j * (1 - j)), "lacks i_s"),
    ("changes the caller's e", _memory_in_place, "changes its input `e`"),
]


def _memory_cumprod(e, f, i, j, c_prev, W_xi, W_xj, W_xf):
    after = np.concatenate([f[1:], np.ones_like(f[:1])])             # f_{s+1} for step s, 1 for the last
    delta = e * np.cumprod(after[::-1], axis=0)[::-1]
    return (np.einsum("tbh,hv->tbv", delta * j * (1 - i * i), W_xi)
            + np.einsum("tbh,hv->tbv", delta * i * j * (1 - j), W_xj)
            + np.einsum("tbh,hv->tbv", delta * c_prev * f * (1 - f), W_xf))


def _memory_loops(e, f, i, j, c_prev, W_xi, W_xj, W_xf):
    t, B, _ = f.shape
    out = np.zeros((t, B, W_xi.shape[1]))
    for s in range(t):
        delta = e.copy()
        for r in range(s + 1, t):
            delta = delta * f[r]
        for b in range(B):
            out[s, b] = (W_xi.T @ (delta[b] * j[s, b] * (1 - i[s, b] ** 2))
                         + W_xj.T @ (delta[b] * i[s, b] * j[s, b] * (1 - j[s, b]))
                         + W_xf.T @ (delta[b] * c_prev[s, b] * f[s, b] * (1 - f[s, b])))
    return out


MEMORY_CORRECT = {
    "a reversed cumulative product and einsum": _memory_cumprod,
    "loops over steps and the batch": _memory_loops,
    "float32": lambda *a: _memory(*(np.asarray(x, np.float32) for x in a)),
    "one stacked matrix": lambda e, f, i, j, c, Wi, Wj, Wf: np.concatenate(
        [_delta_times(e, f) * j * (1 - i ** 2), _delta_times(e, f) * i * j * (1 - j),
         _delta_times(e, f) * c * f * (1 - f)], axis=-1) @ np.concatenate([Wi, Wj, Wf], axis=0),
}


def _delta_times(e, f):
    delta = np.empty_like(f)
    carried = e
    for s in reversed(range(len(f))):
        delta[s] = carried
        carried = carried * f[s]
    return delta


# ------------------------------------------------------------------------------ 14.3 the untrained RNN's factor

RNN_FACTOR_WRONG = [
    ("no square root", lambda H: 1 / 3, "take its root"),
    ("1/√H", lambda H: 1 / np.sqrt(H), "size of one weight"),
    ("one entry's size, 1/√(3H)", lambda H: 1 / np.sqrt(3 * H), "H terms"),
    ("the variance as a²/12", lambda H: 1 / np.sqrt(12), "a²/12"),
    ("√3, upside down", lambda H: np.sqrt(3), "grow"),
    ("the weight's bound, 1/√H times √H", lambda H: 1.0, "factor of 1"),
]

RNN_FACTOR_CORRECT = {
    "3 ** -0.5": lambda H: 3 ** -0.5,
    "√(H / 3) / √H": lambda H: math.sqrt(H / 3) / math.sqrt(H),
    "the variance a²/3 times H, rooted": lambda H: np.sqrt(H * (1 / np.sqrt(H)) ** 2 / 3),
    "float32": lambda H: np.float32(1 / np.sqrt(3)),
}


# ------------------------------------------------------------------------------ the tests

CHECKERS = {
    "softmax": (check_softmax_with_temperature, SOFTMAX_WRONG, SOFTMAX_CORRECT),
    "chunks": (check_evaluate_in_chunks, CHUNK_WRONG, CHUNK_CORRECT),
    "bias": (check_unigram_bias, BIAS_WRONG, BIAS_CORRECT),
    "line end": (check_chars_to_line_end, LINE_END_WRONG, LINE_END_CORRECT),
    "binary r": (check_binary_correlation, BINARY_WRONG, BINARY_CORRECT),
    "gate slope": (check_mean_gate_slope, SLOPE_WRONG, SLOPE_CORRECT),
    "factor": (check_factor_per_step, FACTOR_WRONG, FACTOR_CORRECT),
    "memory path": (check_memory_path, MEMORY_WRONG, MEMORY_CORRECT),
    "rnn factor": (check_initial_rnn_factor, RNN_FACTOR_WRONG, RNN_FACTOR_CORRECT),
}

WRONG = [(key, *m) for key, (_, wrong, _) in CHECKERS.items() for m in wrong]
CORRECT = [(key, name) for key, (_, _, correct) in CHECKERS.items() for name in correct]


@pytest.mark.parametrize("key, name, function, fragment", WRONG, ids=[f"{w[0]}: {w[1]}" for w in WRONG])
def test_part4_mistakes_are_rejected_with_their_words(key, name, function, fragment):
    _assert_rejected(_strict(CHECKERS[key][0], function), name, fragment)


@pytest.mark.parametrize("key, name", CORRECT, ids=[f"{c[0]}: {c[1]}" for c in CORRECT])
def test_part4_unusual_correct_answers_are_accepted(key, name):
    checker, _, correct = CHECKERS[key]
    feedback = _strict(checker, correct[name])
    assert feedback.correct, f"{name}: {feedback.message}"


def test_the_catalogue_is_large():
    assert len(WRONG) >= 60 and len(CORRECT) >= 30, (len(WRONG), len(CORRECT))
    assert all(4 <= len(wrong) <= 10 and 2 <= len(correct) <= 5 for _, wrong, correct in CHECKERS.values())
    assert not any(re.search(r"\s$", name) for _, name, _, _ in WRONG)
