"""The checkers of whole sequences (chapters 8 and 9): `check_lstm_backward` (backpropagation through time with
`lstm_step_backward`), `check_memory_errors` (the error along the memory alone, step by step back) and
`check_clip_by_global_norm`.

Catalogue: the error from the next step forgotten, time run the wrong way, a state off by one step, a buffer
overwritten, the weights' gradients not summed (or averaged) over the steps; for clipping: a norm computed per
array or per entry, squared, from one array, scaling when nothing needed it, keys written out. Cases: one
sequence and batches, a single step, float32; for clipping, other keys, one to four arrays, gradients from 1e-6
to 1e4, exactly at the threshold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstm_book.backward import lstm_backward, lstm_step_backward
from lstm_book.cell import LSTMParams, Step
from lstm_book.fast import lstm_forward
from lstm_book.gradients import clip_by_global_norm

from ..diagnoses import Mistake, keyed, single
from ..runner import Feedback, check, no_batches
from .stacked import params_for

__all__ = ["check_lstm_backward", "check_memory_errors", "check_clip_by_global_norm"]

_PARAMS = LSTMParams.NAMES


def _bptt(xs, params, trace, dh, *, from_h=True, from_c=True, accumulate="sum", h_shift=1, c_shift=1,
          forward=False, direct=True, dh_reversed=False, overwrite=False):
    """Backpropagation through time written with `lstm_step_backward`, with the switches that make the classic
    mistakes (used by `check_lstm_backward` to recognise them). From rest: h0 = c0 = 0."""
    T = len(xs)
    zeros = np.zeros_like(trace.h[0])
    h_prev = np.concatenate([zeros[None], trace.h[:-1]]) if h_shift else trace.h
    c_prev = np.concatenate([zeros[None], trace.c[:-1]]) if c_shift else trace.c
    dh_next, dc_next = zeros, zeros
    total = {name: 0.0 for name in _PARAMS}
    dxs = np.zeros_like(xs)
    for t in (range(T) if forward else range(T - 1, -1, -1)):
        error = (dh[T - 1 - t] if dh_reversed else dh[t]) if direct else zeros
        g = lstm_step_backward(error + (dh_next if from_h else 0), dc_next if from_c else zeros, xs[t], h_prev[t],
                               c_prev[t], Step(*(a[t] for a in trace)), params)
        dh_next, dc_next = g.h_prev, g.c_prev
        if overwrite:
            dxs[:] = g.x_t
        else:
            dxs[t] = g.x_t
        for name in _PARAMS:
            total[name] = (total[name] + getattr(g, name)) if accumulate != "last" else getattr(g, name)
    if accumulate == "mean":
        total = {k: v / T for k, v in total.items()}
    return {**total, "xs": dxs}


def _bptt_cases() -> list[dict]:
    """One sequence and batches (of one and of several rows), a single step, float32; from rest."""
    cases = []
    for number, (D, H, B, T, dtype) in enumerate(((2, 3, None, 5, np.float64), (3, 2, 4, 6, np.float64),
                                                  (2, 2, 1, 1, np.float64), (3, 3, 2, 4, np.float32)), start=1):
        params = params_for(D, H, 40 + number, dtype)
        rng = np.random.default_rng(50 + number)
        lead = () if B is None else (B,)
        xs, dh = rng.normal(0, 1, (T,) + lead + (D,)).astype(dtype), rng.normal(0, 1, (T,) + lead + (H,)).astype(dtype)
        cases.append({"xs": xs, "params": params, "trace": lstm_forward(xs, params), "dh": dh})
    return cases


def check_lstm_backward(function: Callable) -> Feedback:
    """Check a reader's ``my_lstm_backward(xs, params, trace, dh)`` (from rest, h0 = c0 = 0) that returns a dict
    with the twelve parameter gradients (keys as in `LSTMParams`) and "xs"."""
    mistakes = [Mistake(lambda xs, params, trace, dh, switches=switches: _bptt(xs, params, trace, dh, **switches),
                        message) for switches, message in [
        ({"from_h": False}, "The error from h_(t+1) is forgotten: h_t reaches the loss directly (dh[t]) and also "
                            "through the next step, whose gates read it. Pass dh[t] + dh_next, where dh_next is the "
                            "h_prev gradient that step t+1 sent back."),
        ({"from_c": False}, "The error from c_(t+1) is forgotten: pass the c_prev gradient of step t+1 as dc_next of "
                            "step t. That is the memory's own path back, the one that keeps the gradient alive."),
        ({"direct": False}, "The loss's own error at step t, dh[t], is missing: each step receives dh[t] (from the "
                            "loss at that step) plus dh_next (from step t+1)."),
        ({"accumulate": "last"}, "Your weight gradients hold only the share of one step: the same weights are used "
                                 "at every step, so their gradient is the SUM of every step's share."),
        ({"accumulate": "mean"}, "Your weight gradients are the MEAN of the steps' shares: the loss adds up the "
                                 "steps, so the gradient is their SUM (no division by T)."),
        ({"h_shift": 0}, "Your h_prev is off by one: step t reads h_(t-1), which is trace.h[t-1] (and zeros at t = 0), "
                         "not trace.h[t]."),
        ({"c_shift": 0}, "Your c_prev is off by one: step t reads c_(t-1), which is trace.c[t-1] (and zeros at t = 0), "
                         "not trace.c[t]."),
        ({"forward": True}, "Time runs the wrong way: the error flows from the last step back to the first, so the "
                            "loop goes t = T−1, T−2, ..., 0 (reversed(range(T))), each step passing dh_prev and "
                            "dc_prev to the step before it."),
        ({"dh_reversed": True}, "You read dh in reverse order (dh[T−1−t] at step t): the loop runs backwards, but "
                                "step t still receives its own error dh[t]."),
        ({"overwrite": True}, "Every row of your 'xs' gradient is the same: a buffer overwritten at each step "
                              "(dxs[:] = ..., or one array appended again and again). Store step t's dx_t in dxs[t]."),
    ]]

    def reference(xs, params, trace, dh):
        return lstm_backward(xs, params, trace, dh)._asdict()

    hint = "Go back over the loop: the direction (t from T−1 down to 0), what each step receives, and what is summed."
    keys = (*_PARAMS, "xs")
    diagnose = keyed(keys, mistakes, hint, what="the twelve parameter gradients (keys as in LSTMParams) and 'xs'",
                     exact=False, differ="these gradients differ from lstm_backward's", source="lstm_backward")
    return check("lstm_backward", function, reference, _bptt_cases(), diagnose, ["xs", "params", "trace", "dh"],
                 hint, "", batched=lambda case: case["xs"].ndim == 3,
                 passed="Your backpropagation through time agrees with lstm_backward: one sequence, batches (also of "
                        "one row), a single step, float32.")


# ------------------------------------------------------------------ chapter 9: the error along the memory

def _memory_errors(f, e, *, forward=False, shift=1, carry=True, only_last=False, own=False, overwrite=False,
                   stored_reversed=False):
    """dc[t] = e[t] + f[t+1] ⊙ dc[t+1], from the last step back (the memory's path alone), with the switches of
    the classic mistakes."""
    T = len(f)
    dc = np.zeros_like(e)
    running, previous = None, None
    for t in (range(T) if forward else range(T - 1, -1, -1)):
        inject = e[t] if not only_last or t == T - 1 else np.zeros_like(e[t])
        if previous is None or not carry:
            running = inject
        else:
            factor = f[previous] if shift else f[t]
            running = factor * (inject + running) if own else inject + factor * running
        previous = t
        if overwrite:
            dc[:] = running
        else:
            dc[T - 1 - t if stored_reversed else t] = running
    return dc


def _memory_error_cases() -> list[dict]:
    rng = np.random.default_rng(1991)
    cases = []
    for T, lead, H, low, high, dtype in ((5, (), 3, 0.05, 0.95, np.float64), (6, (2,), 2, 0.05, 0.95, np.float64),
                                         (1, (), 2, 0.1, 0.9, np.float64), (40, (), 2, 0.97, 0.999, np.float64),
                                         (8, (3,), 4, 0.001, 0.2, np.float64), (7, (1,), 3, 0.05, 0.95, np.float32)):
        shape = (T,) + lead + (H,)
        cases.append({"f": rng.uniform(low, high, shape).astype(dtype), "e": rng.normal(0, 1, shape).astype(dtype)})
    return cases


def check_memory_errors(function: Callable) -> Feedback:
    """Check a reader's ``memory_errors(f, e)`` -> dc: the error at every c_t along the memory's path alone,
    dc[t] = e[t] + f[t+1] ⊙ dc[t+1] from the last step back, where e[t] is the error that reaches c_t from outside
    the memory (through h_t) and f the forget gates; f, e, dc all (T, H) or (T, B, H)."""
    def make(**switches):
        return lambda f, e: _memory_errors(f, e, **switches)

    mistakes = [
        *[Mistake(make(forward=True, shift=shift), "Time runs the wrong way: the error at c_t comes from the LATER steps, so start at "
                                    "t = T−1 (dc[T−1] = e[T−1]) and go back, dc[t] = e[t] + f[t+1] ⊙ dc[t+1].") for shift in (0, 1)],
        Mistake(make(shift=0), "Off by one step: the error going from c_(t+1) back to c_t is multiplied by the gate that "
                               "scaled c_t on its way INTO c_(t+1), f[t+1], not f[t]."),
        Mistake(make(carry=False), "The error from the next step is forgotten: your dc is just e. Each c_t also "
                                   "receives f[t+1] ⊙ dc[t+1] from c_(t+1)."),
        Mistake(make(only_last=True), "Only the last step's error travels back: every step's e[t] enters the memory "
                                      "there, dc[t] = e[t] + f[t+1] ⊙ dc[t+1]."),
        Mistake(make(own=True), "You multiplied the step's own error by the gate too: e[t] arrives at c_t itself, so "
                                "dc[t] = e[t] + f[t+1] ⊙ dc[t+1], with f only on the part that comes from c_(t+1)."),
        Mistake(make(overwrite=True), "Every step of your dc is the same: a buffer overwritten at each step (dc[:] = "
                                      "..., or one array appended again and again). Store step t's value in dc[t]."),
        Mistake(make(stored_reversed=True), "Your dc is right but stored in reverse order: the value computed for "
                                            "step t belongs in dc[t], also when the loop runs backwards."),
    ]
    hint = "f, e and the result all have the shape (T, H) or (T, B, H); the loop runs from t = T−1 down to 0."
    cases = _memory_error_cases()
    return check("memory_errors", function, _memory_errors, cases, single("dc", mistakes, hint), ["f", "e"], hint,
                 "one sequence and batches (also of one row), a single step, 40 steps of gates near 1, gates near 0, "
                 "float32", batched=no_batches)


# ------------------------------------------------------------------ chapter 9: clipping

def _clip_cases() -> list[dict]:
    """Other keys, one to four arrays of 1 to 3 axes, magnitudes from 1e-6 to 1e4, above, below and exactly at the
    threshold, one array that dominates, float32."""
    rng = np.random.default_rng(7)
    big = {"W": rng.normal(0, 3, (3, 2)), "b": rng.normal(0, 3, 3)}
    many = {"W_xi": rng.normal(0, 1, (4, 2)), "W_hf": rng.normal(0, 1e4, (2, 2)), "b_y": rng.normal(0, 1, 3),
            "h0": rng.normal(0, 1, (2, 1, 2))}
    at = {"theta": np.array([3.0, 4.0])}
    tiny = {"u": rng.normal(0, 1e-6, 5), "v": rng.normal(0, 1e-6, (2, 2))}
    lopsided = {"W": np.full((2, 2), 10.0), "b": np.array([0.1, -0.1])}
    f32 = {"W": rng.normal(0, 2, (3, 3)).astype(np.float32), "b": rng.normal(0, 2, 3).astype(np.float32)}
    return [{"grads": grads, "max_norm": m} for grads, m in
            ((big, 1.0), ({k: v * 1e-3 for k, v in big.items()}, 1.0), (many, 5.0), (at, 5.0), (tiny, 1e-7),
             (lopsided, 5.0), (f32, 0.5), (big, 1e3))]


def check_clip_by_global_norm(function: Callable) -> Feedback:
    """Check a reader's ``clip(grads, max_norm)`` that returns the clipped dict of gradients."""

    def norm_of(grads):
        return np.sqrt(sum(np.sum(np.asarray(v, dtype=float) ** 2) for v in grads.values()))

    def scaled(factor_of):
        def compute(grads, max_norm):
            factor = factor_of(norm_of(grads), max_norm, grads)
            return {k: v * factor for k, v in grads.items()}
        return compute

    def per_array(grads, max_norm):
        return {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in grads.items()}

    mistakes = [
        Mistake(lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()},
                "You clipped each entry (np.clip): that changes the gradient's direction. Scale all arrays by the "
                "same factor max_norm / norm instead, so the direction is kept."),
        Mistake(per_array, "You clipped each array by its own norm (a norm computed per array): the arrays then "
                           "shrink by different factors and the direction changes. Use one global norm, the square "
                           "root of the sum of squares of ALL entries."),
        Mistake(scaled(lambda n, m, g: min(1.0, m / n**2)), "Your norm is the sum of squares: take its square root."),
        Mistake(scaled(lambda n, m, g: m / n), "You scaled the gradient even when its norm was already below max_norm: "
                                               "clipping only ever shrinks, the factor is min(1, max_norm / norm)."),
        Mistake(scaled(lambda n, m, g: max(1.0, m / n)), "Your factor is max(1, max_norm / norm): it should be "
                                                         "min(1, max_norm / norm), which shrinks a gradient that is "
                                                         "too long and leaves a short one alone."),
        Mistake(scaled(lambda n, m, g: min(1.0, 1.0 / n)), "You divided by the norm but forgot max_norm: the factor "
                                                           "is min(1, max_norm / norm)."),
        Mistake(scaled(lambda n, m, g: min(1.0, m / np.linalg.norm(next(iter(g.values()))))),
                "Your norm is the norm of the first array only: the global norm runs over ALL the arrays, "
                "sqrt(Σ over every array of its squared entries)."),
        Mistake(scaled(lambda n, m, g: min(1.0, m / max(np.linalg.norm(v) for v in g.values()))),
                "Your norm is the largest norm of a single array: the global norm runs over ALL the arrays, "
                "sqrt(Σ over every array of its squared entries)."),
        Mistake(scaled(lambda n, m, g: min(1.0, m / sum(np.linalg.norm(v) for v in g.values()))),
                "Your norm is the sum of the arrays' norms: the global norm is the square root of the sum of ALL "
                "squared entries, sqrt(Σ ‖g_k‖²), which is smaller."),
        Mistake(scaled(lambda n, m, g: min(1.0, m / np.sqrt(np.mean(np.concatenate([np.ravel(v) for v in g.values()]) ** 2)))),
                "Your norm is a root mean square (np.mean): the global norm is the square root of the SUM of the "
                "squared entries."),
        Mistake(lambda g, m: {k: v / norm_of(g) * min(norm_of(g), m) for k, v in g.items()},
                "When every gradient is 0 the norm is 0 and dividing by it gives NaN: leave the gradients as "
                "they are then (nothing needs clipping)."),
    ]

    def reference(grads, max_norm):
        return clip_by_global_norm(grads, max_norm)[0]

    hint = "The global norm is sqrt(Σ of every squared entry), over all the arrays together."
    diagnose = keyed((), mistakes, hint, what="the same keys as grads", exact=True,
                     differ="your clipped gradients differ from the expected ones", source="clip_by_global_norm")
    return check("clip", function, reference, _clip_cases(), diagnose, ["grads", "max_norm"], hint, "",
                 batched=no_batches,
                 passed="Your clipping agrees with clip_by_global_norm: any keys, one to four arrays, gradients from "
                        "1e-6 to 1e4, above, below and exactly at the threshold, float32.")
