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


# ------------------------------------------------------------------ issue 16: the catalogues of Part II, grown

from lstm_book.teaching.checkers import (  # noqa: E402
    check_memory_errors, check_peephole_forget_gate_backward, check_stacked_backward,
)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def stacked(dg, g, x, h, W, slope=None, dW="ok", db="sum", split="ok"):
    H, D = g.shape[1] // 4, x.shape[1]
    s = np.hstack([1 - g[:, :H] ** 2, g[:, H:] * (1 - g[:, H:])]) if slope is None else slope(g, H)
    dz = dg * s
    xh = np.hstack([x, h]) if dW != "hx" else np.hstack([h, x])
    back = dz @ W
    grad_W = {"ok": dz.T @ xh, "hx": dz.T @ xh, "T": xh.T @ dz, "mean": dz.T @ xh / len(x)}[dW]
    grad_b = {"sum": dz.sum(0), "none": dz, "mean": dz.mean(0)}[db]
    dx, dh = (back[:, D:], back[:, :D]) if split == "swap" else (back[:, :D], back[:, D:])
    return dx, dh, grad_W, grad_b


STACKED_MISTAKES = [
    (lambda *a: stacked(*a, slope=lambda g, H: g * (1 - g)), "wrong function"),
    (lambda *a: stacked(*a, slope=lambda g, H: 1 - g**2), "for all four blocks"),
    (lambda *a: stacked(*a, slope=lambda g, H: np.hstack([g[:, :2 * H] * (1 - g[:, :2 * H]), 1 - g[:, 2 * H:3 * H] ** 2,
                                                          g[:, 3 * H:] * (1 - g[:, 3 * H:])])), "THIRD block"),
    (lambda *a: stacked(*a, slope=lambda g, H: g), "values where their derivatives belong"),
    (lambda *a: stacked(*a, slope=lambda g, H: np.ones_like(g)), "derivatives of the nonlinearities are missing"),
    (lambda *a: stacked(*a, dW="T"), "dW is transposed"),
    (lambda *a: stacked(*a, dW="hx"), "[h_prev x_t]"),
    (lambda *a: stacked(*a, dW="mean"), "MEAN over the batch"),
    (lambda *a: stacked(*a, db="none"), "batch axis"),
    (lambda *a: stacked(*a, db="mean"), "MEAN over the batch"),
    (lambda *a: stacked(*a, split="swap"), "swapped"),
]


@pytest.mark.parametrize("answer, words", STACKED_MISTAKES)
def test_stacked_backward_mistakes_are_named(answer, words):
    feedback = check_stacked_backward(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


def test_stacked_backward_correct_variants_pass():
    def einsum(dg, g, x, h, W):
        H = g.shape[1] // 4
        dz = dg * np.where(np.arange(4 * H) < H, 1 - g * g, g - g * g)
        return dz @ W[:, :x.shape[1]], dz @ W[:, x.shape[1]:], np.einsum("bk,bj->kj", dz, np.hstack([x, h])), dz.sum(0)

    assert check_stacked_backward(stacked).correct
    assert check_stacked_backward(einsum).correct
    assert check_stacked_backward(lambda *a: tuple(r.astype(np.float32) for r in stacked(*a))).correct


def peephole_backward(df, f, x, h, c, Wx, Wh, p, slope=lambda f: f * (1 - f), dc="ok", dp="ok", dW="sum", db="sum"):
    dz = df * slope(f)
    dz2, x2, h2, c2 = (np.atleast_2d(a) for a in (dz, x, h, c))
    grad_c = {"ok": dz * p, "none": 0 * dz, "no_p": dz, "c": dz * c}[dc]
    grad_p = {"ok": (dz2 * c2).sum(0), "no_c": dz2.sum(0), "batch": dz * c, "mean": (dz2 * c2).mean(0)}[dp]
    grad_W = (dz2.T @ x2, dz2.T @ h2) if dW == "sum" else (x2.T @ dz2, h2.T @ dz2)
    grad_b = dz2.sum(0) if db == "sum" else dz
    return dz @ Wx, dz @ Wh, grad_c, *grad_W, grad_p, grad_b


@pytest.mark.parametrize("switches, words", [
    ({"slope": lambda f: f}, "σ' is written as σ"),
    ({"slope": lambda f: 1 - f**2}, "wrong function"),
    ({"slope": lambda f: 1.0}, "derivative of σ is missing"),
    ({"dc": "none"}, "dc_prev is zero"),
    ({"dc": "no_p"}, "product rule is dropped"),
    ({"dc": "c"}, "dc_prev = dz ⊙ p_f"),
    ({"dp": "no_c"}, "product rule is dropped"),
    ({"dp": "batch"}, "dp_f has a batch axis"),
    ({"dp": "mean"}, "MEAN over the batch"),
    ({"dW": "T"}, "transposed"),
    ({"db": "none"}, "db_f has a batch axis"),
])
def test_peephole_backward_mistakes_are_named(switches, words):
    feedback = check_peephole_forget_gate_backward(lambda *a: peephole_backward(*a, **switches))
    assert not feedback.correct and words in feedback.message, feedback.message
    assert check_peephole_forget_gate_backward(peephole_backward).correct
    assert check_peephole_forget_gate_backward(
        lambda *a: tuple(np.float32(1) * r for r in peephole_backward(*(np.asarray(v, np.float32) for v in a)))).correct


def memory_errors(f, e, *, forward=False, shift=1, carry=True, reverse_store=False, overwrite=False):
    out, running = [], None
    order = range(len(e)) if forward else range(len(e) - 1, -1, -1)
    for t in order:
        if running is None or not carry:
            running = e[t].copy()
        elif overwrite:
            running *= f[t + shift if not forward else t]
            running += e[t]
        else:
            running = e[t] + f[(t + shift) if not forward else t] * running
        out.append(running)
    if not forward and not reverse_store:
        out = out[::-1]
    return np.stack(out)


@pytest.mark.parametrize("switches, words", [
    ({"forward": True}, "Time runs the wrong way"),
    ({"shift": 0}, "Off by one step"),
    ({"carry": False}, "error from the next step is forgotten"),
    ({"reverse_store": True}, "reverse order"),
    ({"overwrite": True}, "buffer overwritten"),
])
def test_memory_errors_mistakes_are_named(switches, words):
    feedback = check_memory_errors(lambda f, e: memory_errors(f, e, **switches))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_memory_errors_correct_variants_pass():
    def cumulative(f, e):  # dc[t] = Σ_{s >= t} e[s] ∏_{t < r <= s} f[r], written with a loop over s
        dc = np.zeros_like(e)
        for s in range(len(e)):
            product = np.ones_like(e[0])
            for t in range(s, -1, -1):
                dc[t] = dc[t] + e[s] * product
                product = product * f[t]
        return dc

    assert check_memory_errors(memory_errors).correct
    assert check_memory_errors(cumulative).correct
    assert check_memory_errors(lambda f, e: memory_errors(f.astype(np.float32), e.astype(np.float32))).correct
    assert "not written yet" in check_memory_errors(not_written).message


def test_bptt_time_run_the_wrong_way_and_overwritten_buffers_are_named():
    def bptt(xs, params, trace, dh, forward=False, overwrite=False, direct=True):
        zeros = np.zeros_like(trace.h[0])
        dh_next = dc_next = zeros
        grads = {k: 0.0 for k in PARAMS}
        dxs = np.zeros_like(xs)
        for t in (range(len(xs)) if forward else reversed(range(len(xs)))):
            h_prev, c_prev = (trace.h[t - 1], trace.c[t - 1]) if t else (zeros, zeros)
            g = lstm_step_backward((dh[t] if direct else 0) + dh_next, dc_next, xs[t], h_prev, c_prev,
                                   Step(*(a[t] for a in trace)), params)
            dh_next, dc_next = g.h_prev, g.c_prev
            if overwrite:
                dxs[...] = g.x_t
            else:
                dxs[t] = g.x_t
            grads = {k: grads[k] + getattr(g, k) for k in PARAMS}
        return {**grads, "xs": dxs}

    for switches, words in (({"forward": True}, "Time runs the wrong way"), ({"overwrite": True}, "buffer overwritten"),
                            ({"direct": False}, "dh[t], is missing")):
        feedback = check_lstm_backward(lambda *a, s=switches: bptt(*a, **s))
        assert not feedback.correct and words in feedback.message, feedback.message


def test_clipping_varies_the_keys_and_names_a_norm_per_array():
    def fixed_keys(grads, max_norm):
        norm = np.sqrt(np.sum(grads["W"] ** 2) + np.sum(grads["b"] ** 2))
        return {"W": grads["W"] * min(1, max_norm / norm), "b": grads["b"] * min(1, max_norm / norm)}

    def first_array(grads, max_norm):
        norm = np.linalg.norm(next(iter(grads.values())))
        return {k: v * min(1, max_norm / norm) for k, v in grads.items()}

    def norms_added(grads, max_norm):
        norm = sum(np.linalg.norm(v) for v in grads.values())
        return {k: v * min(1, max_norm / norm) for k, v in grads.items()}

    for answer, words in ((fixed_keys, "KeyError"), (first_array, "first array only"),
                          (norms_added, "sum of the arrays' norms")):
        feedback = check_clip_by_global_norm(answer)
        assert not feedback.correct and words in feedback.message, feedback.message


# ------------------------------------------------------------------ issue 16: the numbers of 7.2, 9.1, 9.2, 9.3

from lstm_book import lstm_forward, running_example, running_example_params  # noqa: E402
from lstm_book.backward import error_signal  # noqa: E402
from lstm_book.teaching.checkers import (  # noqa: E402
    check_clipped_norms, check_smallest_forget_bias, check_state_and_factor, check_work_counts,
)
from lstm_book.teaching.checkers.part2.predictions import _reaching, reaching_by_backward_pass  # noqa: E402


def work(D, H, B, T, mult=None, forward=None, loop=None):
    return {"multiplications": 4 * B * H * (D + H) if mult is None else mult(D, H, B, T),
            "forward_products": T + 1 if forward is None else forward(T), "loop_products": 8 * T if loop is None else loop(T)}


@pytest.mark.parametrize("switches, words", [
    ({"mult": lambda D, H, B, T: 4 * H * (D + H)}, "leave out the batch"),
    ({"mult": lambda D, H, B, T: B * H * (D + H)}, "those of one part"),
    ({"mult": lambda D, H, B, T: 8 * B * H * (D + H)}, "counted the multiplications twice"),
    ({"mult": lambda D, H, B, T: 4 * B * H * (D + H + 1)}, "counted the bias as multiplications"),
    ({"forward": lambda T: T}, "one more before the loop"),
    ({"forward": lambda T: 2 * T}, "not 2T"),
    ({"loop": lambda T: 4 * T}, "eight products per step"),
    ({"loop": lambda T: 12 * T}, "bias additions as products"),
])
def test_work_counts_catalogue(switches, words):
    feedback = check_work_counts(lambda D, H, B, T: work(D, H, B, T, **switches))
    assert not feedback.correct and words in feedback.message, feedback.message


def test_work_counts_accept_integers_and_floats():
    assert check_work_counts(work).correct
    assert check_work_counts(lambda D, H, B, T: {k: float(v) for k, v in work(D, H, B, T).items()}).correct
    assert check_work_counts(lambda D, H, B, T: {k: np.int32(v) for k, v in work(D, H, B, T).items()}).correct
    two = check_work_counts(lambda D, H, B, T: work(D, H, B, T, mult=lambda D, H, B, T: 1, loop=lambda T: 1))
    assert not two.correct and "These counts differ: multiplications, loop_products" in two.message, two.message


def norms_after(norms, max_norm, total=None, always=False):
    total = np.sqrt(np.sum(norms ** 2)) if total is None else total(norms)
    with np.errstate(all="ignore"):
        return norms * (max_norm / total if always else (min(1.0, max_norm / total) if total > 0 else 1.0))


@pytest.mark.parametrize("answer, words", [
    (lambda n, m: np.minimum(n, m), "clipped each array on its own"),
    (lambda n, m: norms_after(n, m, total=lambda n: np.sum(n ** 2)), "squared global norm"),
    (lambda n, m: norms_after(n, m, total=np.sum), "You added the norms"),
    (lambda n, m: norms_after(n, m, always=True), "scaled even where nothing needed clipping"),   # NaN for zeros
    (lambda n, m: np.full(n.shape, m) if np.sqrt(np.sum(n ** 2)) > m else n, "JOINT norm"),
])
def test_clipped_norms_catalogue(answer, words):
    feedback = check_clipped_norms(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


def test_clipped_norms_correct_variants_pass():
    assert check_clipped_norms(norms_after).correct
    assert check_clipped_norms(lambda n, m: (n * min(1.0, m / np.linalg.norm(n)) if np.linalg.norm(n) else n)
                               .astype(np.float32)).correct
    assert check_clipped_norms(lambda n, m: n * m / max(m, np.linalg.norm(n))).correct


def test_a_nan_only_where_the_mistake_has_none_is_not_that_mistake():
    """An answer that is right except for one NaN is told about the NaN, not about scaling where nothing needed it."""
    def one_nan(n, m):
        out = norms_after(n, m).astype(float)
        if not n.any():
            out[0] = np.nan
        return out
    feedback = check_clipped_norms(one_nan)
    assert not feedback.correct and "nan at index [0]" in feedback.message, feedback.message
    assert "scaled even" not in feedback.message


def test_the_share_reaching_back_is_the_backward_pass():
    for b_f, start, end in ((1.0, 5, 49), (3.0, 5, 49), (2.0, 12, 40), (0.5, 30, 31), (4.0, 20, 45)):
        assert np.isclose(_reaching(b_f, start, end), reaching_by_backward_pass(b_f, start, end), rtol=1e-10)


def search(share_of, start, end, share, steps=30):
    low, high = -10.0, 20.0
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if share_of(middle, start, end) < share else (low, middle)
    return high


def sig(z):
    return 1 / (1 + np.exp(-z))


X = running_example().x[:, 0]


def measured(b_f, start, end, shift=0):
    """The product of the forget gates f_(start+1) ... f_end (w_xf = 6, recurrent weights 0), written here."""
    return np.prod(sig(b_f + 6.0 * X)[start + shift:end + shift])


def test_the_gates_product_is_the_backward_pass():
    params = running_example_params(b_f=2.5)
    dh = np.zeros((len(X), 1))
    dh[40 - 1] = 1.0
    errors = error_signal(X[:, None], params, lstm_forward(X[:, None], params), dh)
    assert np.isclose(errors.c[12 - 1, 0] / errors.c[40 - 1, 0], measured(2.5, 12, 40), rtol=1e-10)


@pytest.mark.parametrize("answer, words", [
    (lambda s, e, q: search(lambda b, s, e: sig(b) ** (e - s), s, e, q), "estimate with every gate at rest"),
    (lambda s, e, q: search(lambda b, s, e: measured(b, s, e, shift=-1), s, e, q), "steps are off by one"),
    (lambda s, e, q: search(lambda b, s, e: sig(b) ** (e - s + 1), s, e, q), "one gate too many"),
    (lambda s, e, q: search(lambda b, s, e: sig(b) ** (e - s), s, e, q, steps=8), "in yours but"),   # nothing named
])
def test_smallest_forget_bias_catalogue(answer, words):
    feedback = check_smallest_forget_bias(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


def test_smallest_forget_bias_correct_variants_pass():
    assert check_smallest_forget_bias(lambda s, e, q: search(measured, s, e, q)).correct
    assert check_smallest_forget_bias(lambda s, e, q: np.float32(search(measured, s, e, q, steps=16))).correct
    assert check_smallest_forget_bias(lambda s, e, q: search(measured, s, e, q, steps=15)).correct   # to 1e-3


def settle(w, h0, steps=3000, one=False):
    h = h0
    for _ in range(1 if one else steps):
        h = np.tanh(w * h)
    return h


@pytest.mark.parametrize("answer, words", [
    (lambda w, h0: (settle(w, h0), w), "as for a linear unit"),
    (lambda w, h0: (settle(w, h0), 1 - settle(w, h0) ** 2), "lost w"),
    (lambda w, h0: (settle(w, h0), w * (1 - abs(settle(w, h0)))), "squared"),
    (lambda w, h0: (settle(w, h0, one=True), w * (1 - settle(w, h0, one=True) ** 2)), "after one step"),
    (lambda w, h0: (abs(settle(w, h0)), w * (1 - settle(w, h0) ** 2)), "negative fixed point"),
    (lambda w, h0: (settle(w, h0 or 0.5),) * 1 + (w * (1 - settle(w, h0 or 0.5) ** 2),), "never leaves 0"),
])
def test_state_and_factor_catalogue(answer, words):
    feedback = check_state_and_factor(answer)
    assert not feedback.correct and words in feedback.message, feedback.message


def test_state_and_factor_correct_variants_pass():
    assert check_state_and_factor(lambda w, h0: (settle(w, h0), w * (1 - settle(w, h0) ** 2))).correct
    assert check_state_and_factor(lambda w, h0: (np.float32(settle(w, h0)),
                                                 np.float32(w / np.cosh(w * settle(w, h0)) ** 2))).correct
