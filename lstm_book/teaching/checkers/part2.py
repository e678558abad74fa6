"""Checkers for the exercises of Part II (chapters 7-9): the stacked weights, the backward pass, clipping.

They run on the runner shared by every checker, `runner.check` (and return its `Feedback`), with its
protections: the reader's function runs on copies of seeded cases, one sequence and batches; an input it changes
in place is named, an endless loop is stopped, a wrong parameter list is named before anything runs, and whatever
it returns or raises becomes a sentence. On a mismatch its answer is compared with the mistakes people make in a
backward pass (σ' written as σ, the error from c_{t+1} or h_{t+1} forgotten, the forget gate left out on the way
to c_{t-1}, ...), and the `Feedback` says what to look at.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstm_book.backward import cell_state_backward, forget_gate_backward, hidden_state_backward
from lstm_book.backward import linear_backward, lstm_backward, lstm_step_backward
from lstm_book.cell import PARTS, LSTMParams, Step, init_params
from lstm_book.equations import sigmoid
from lstm_book.fast import lstm_forward, stack_params
from lstm_book.gradients import clip_by_global_norm

from .diagnoses import Mistake, keyed, several
from .runner import Feedback, check, no_batches

__all__ = ["check_stack_params", "check_memory_backward", "check_forget_gate_backward", "check_lstm_backward",
           "check_clip_by_global_norm"]

#: The twelve parameters, in the order of the equations (i, j, f, o): the gradients `lstm_backward` returns.
_PARAMS = LSTMParams.NAMES


def _params(D: int, H: int, seed: int) -> LSTMParams:
    rng = np.random.default_rng(seed)
    p = init_params(D, H, seed=seed)
    return p.replace(**{k: v * 2.0 for k, v in p.as_dict().items() if k.startswith("W")},
                     **{f"b_{g}": rng.normal(0, 1, H) for g in PARTS})


# ------------------------------------------------------------------ chapter 7: one matrix

def check_stack_params(function: Callable) -> Feedback:
    """Check a reader's ``stack(params) -> (W, b)``: W (4H, D+H) = [W_x? W_h?] block rows in the order
    i, j, f, o, and b (4H,)."""

    def reference(p):
        W_x, W_h, b = stack_params(p)
        return np.concatenate([W_x, W_h], axis=1), b

    def in_order(order, columns="xh", transpose=False):
        def stacked(p):
            rows = [np.concatenate([getattr(p, f"W_{k}{g}") for k in columns], axis=1) for g in order]
            W = np.concatenate(rows)
            return (W.T if transpose else W), np.concatenate([getattr(p, f"b_{g}") for g in order])
        return stacked

    mistakes = [
        Mistake(in_order("jfio"), "You stacked the parts in PyTorch's order [i, f, g, o], which in this book's letters "
                                  "is [j, f, i, o]. The book's stacked W keeps the order of the equations: i, j, f, o."),
        Mistake(in_order("ijfo", columns="hx"), "Your columns are [W_h W_x]: the first D columns should meet x_t and "
                                                "the last H columns h_{t-1}, so each block row is [W_x? W_h?]."),
        Mistake(in_order("ijfo", transpose=True), "Your W is transposed, (D+H, 4H), the layout of Keras's kernel. The "
                                                  "book keeps the maths' layout: 4H rows (one block per part), D+H columns."),
        Mistake(in_order("ifjo"), "The forget gate and the input gate are swapped: the order is i, j, f, o."),
    ]
    sizes = ((3, 3), (2, 4), (5, 2))
    cases = [{"params": _params(D, H, seed)} for seed, (D, H) in enumerate(sizes)]
    hint = "W has shape (4H, D+H): four block rows of H rows each; b has shape (4H,)."
    return check("stack", function, reference, cases, several(("W", "b"), mistakes, hint), ["params"], hint,
                 "(D, H) = (3, 3), (2, 4) and (5, 2)", batched=no_batches)


# ------------------------------------------------------------------ chapter 8: the backward pass

def _memory_cases() -> list[dict]:
    rng = np.random.default_rng(19970815)
    cases = []
    for lead in ((), (3,), (2,)):
        H = 4 if lead != (2,) else 5
        shape = lead + (H,)
        cases.append({"dh_t": rng.normal(0, 1, shape), "dc_next": rng.normal(0, 1, shape),
                      "c_t": rng.normal(0, 1.5, shape), "o_t": rng.uniform(0.05, 0.95, shape),
                      "c_prev": rng.normal(0, 1.5, shape), "f_t": rng.uniform(0.05, 0.95, shape),
                      "i_t": rng.uniform(-0.95, 0.95, shape), "j_t": rng.uniform(0.05, 0.95, shape)})
    return cases


def check_memory_backward(function: Callable) -> Feedback:
    """Check a reader's ``memory_backward(dh_t, dc_next, c_t, o_t, c_prev, f_t, i_t, j_t)`` that returns
    ``(dc_prev, df_t, di_t, dj_t)``: all the error reaching c_t, sent back through c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t."""

    def reference(dh, dc_next, c, o, c_prev, f, i, j):
        dc, _ = hidden_state_backward(dh, c, o)
        return cell_state_backward(dc + dc_next, c_prev, f, i, j)

    def through(dc):
        return lambda dh, dc_next, c, o, c_prev, f, i, j: cell_state_backward(dc(dh, dc_next, c, o), c_prev, f, i, j)

    full = lambda dh, dc_next, c, o: dh * o * (1 - np.tanh(c) ** 2) + dc_next  # noqa: E731
    mistakes = [
        Mistake(through(lambda dh, dc_next, c, o: dh * o * (1 - np.tanh(c) ** 2)),
                "The error from c_(t+1) is forgotten: the memory also receives dc_next, the error that comes back "
                "along the cell state from the next step. ∂L/∂c_t = dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next."),
        Mistake(through(lambda dh, dc_next, c, o: dc_next),
                "The path through h_t is missing: c_t also reaches the loss through h_t = tanh(c_t) ⊙ o_t, which "
                "adds dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)) to dc_next."),
        Mistake(through(lambda dh, dc_next, c, o: dh * o + dc_next),
                "The derivative of tanh is missing: h_t = tanh(c_t) ⊙ o_t, so the error through h_t is "
                "dh_t ⊙ o_t ⊙ tanh'(c_t), with tanh'(c) = 1 − tanh²(c)."),
        Mistake(through(lambda dh, dc_next, c, o: dh * o * np.tanh(c) + dc_next),
                "You multiplied by tanh(c_t) where its derivative belongs: tanh'(c) = 1 − tanh²(c)."),
        Mistake(through(lambda dh, dc_next, c, o: dh * o * (1 - c**2) + dc_next),
                "You used 1 − c_t², the derivative written in terms of the output, but c_t is the tanh's input: "
                "tanh'(c_t) = 1 − tanh²(c_t)."),
        Mistake(lambda dh, dc_next, c, o, c_prev, f, i, j: (full(dh, dc_next, c, o),) + cell_state_backward(
            full(dh, dc_next, c, o), c_prev, f, i, j)[1:],
                "Your dc_prev is the whole error at c_t: on the way to c_(t-1) it passes through the forget gate, "
                "dc_prev = dc_t ⊙ f_t (this is the product of forget gates of chapter 3, one factor per step)."),
        Mistake(lambda dh, dc_next, c, o, c_prev, f, i, j: cell_state_backward(full(dh, dc_next, c, o), c, f, i, j),
                "Your df_t uses c_t: the forget gate multiplies the OLD memory, so df_t = dc_t ⊙ c_(t-1)."),
        Mistake(lambda dh, dc_next, c, o, c_prev, f, i, j: cell_state_backward(full(dh, dc_next, c, o), c_prev, f, j, i),
                "di_t and dj_t are swapped: each factor of i_t ⊙ j_t gets the OTHER factor, di_t = dc_t ⊙ j_t and "
                "dj_t = dc_t ⊙ i_t."),
    ]
    hint = "Every input and every result has the same shape, (H,) or (B, H): the backward of an elementwise step is elementwise."
    outputs = ("dc_prev", "df_t", "di_t", "dj_t")
    return check("memory_backward", function, reference, _memory_cases(), several(outputs, mistakes, hint),
                 list(_memory_cases()[0]), hint, "one sequence and batches")


def check_forget_gate_backward(function: Callable) -> Feedback:
    """Check a reader's ``forget_gate_backward(df_t, f_t, x_t, h_prev, W_xf, W_hf)`` that returns
    ``(dx_t, dh_prev, dW_xf, dW_hf, db_f)``."""
    rng = np.random.default_rng(20000101)
    cases = []
    for D, H, B in ((3, 3, None), (3, 3, 4), (2, 4, None), (5, 3, 2)):
        lead = () if B is None else (B,)
        x, h = rng.normal(0, 1, lead + (D,)), rng.uniform(-1, 1, lead + (H,))
        W_x, W_h, b = rng.normal(0, 1, (H, D)), rng.normal(0, 1, (H, H)), rng.normal(0, 1, H)
        f = sigmoid(x @ W_x.T + h @ W_h.T + b)
        cases.append({"df_t": rng.normal(0, 1, lead + (H,)), "f_t": f, "x_t": x, "h_prev": h, "W_xf": W_x, "W_hf": W_h})

    def with_dz(dz_of):
        return lambda df, f, x, h, W_x, W_h: linear_backward(dz_of(df, f), x, h, W_x, W_h)

    def batch_not_summed(df, f, x, h, W_x, W_h):
        dz = df * f * (1 - f)
        return dz @ W_x, dz @ W_h, linear_backward(dz, x, h, W_x, W_h)[2], linear_backward(dz, x, h, W_x, W_h)[3], dz

    mistakes = [
        Mistake(with_dz(lambda df, f: df * f),
                "σ' is written as σ: the derivative of the sigmoid is σ'(z) = σ(z)(1 − σ(z)), which is f_t (1 − f_t) "
                "in terms of the gate's value."),
        Mistake(with_dz(lambda df, f: df),
                "The derivative of σ is missing: between f_t and the weights sits the sigmoid, so multiply df_t by "
                "σ'(z) = f_t (1 − f_t) first."),
        Mistake(with_dz(lambda df, f: df * (1 - f**2)),
                "You used tanh' = 1 − y², the derivative of tanh: the forget gate is a sigmoid, σ' = f_t (1 − f_t)."),
        Mistake(with_dz(lambda df, f: df * sigmoid(f) * (1 - sigmoid(f))),
                "You applied σ to the gate again: f_t is already σ(z), so σ'(z) = f_t (1 − f_t), not σ(f_t)(1 − σ(f_t))."),
        Mistake(lambda df, f, x, h, W_x, W_h: (lambda dz: (dz @ W_x, dz @ W_h.T, *linear_backward(dz, x, h, W_x, W_h)[2:]))(df * f * (1 - f)),
                "Your dh_prev uses W_hf transposed: z = W_hf h_(t-1) sends dz back as W_hf^T dz, which for rows is dz @ W_hf."),
        Mistake(batch_not_summed,
                "Your db_f has a batch axis: a bias is shared by every sequence of the batch, so its gradient is the "
                "sum over the batch, dz.sum(axis=0)."),
    ]
    hint = ("dz = df_t ⊙ f_t ⊙ (1 − f_t) has the shape of f_t. With rows: dx_t = dz @ W_xf, dh_prev = dz @ W_hf, "
            "dW_xf = dz.T @ x_t (H, D) for a batch (summed over it), np.outer(dz, x_t) for one vector; "
            "dW_hf likewise with h_prev; db_f = dz, summed over a batch.")
    outputs = ("dx_t", "dh_prev", "dW_xf", "dW_hf", "db_f")
    return check("forget_gate_backward", function, forget_gate_backward, cases, several(outputs, mistakes, hint),
                 list(cases[0]), hint, "one sequence and batches")


def _bptt(xs, params, trace, dh, *, from_h=True, from_c=True, accumulate=True, h_shift=1):
    """Backpropagation through time written with `lstm_step_backward`, with the switches that make the classic
    mistakes (used by `check_lstm_backward` to recognise them). From rest: h0 = c0 = 0."""
    zeros = np.zeros_like(trace.h[0])
    h_prev = np.concatenate([zeros[None], trace.h[:-1]]) if h_shift else trace.h
    c_prev = np.concatenate([zeros[None], trace.c[:-1]])
    dh_next, dc_next = zeros, zeros
    total = {name: 0.0 for name in _PARAMS}
    dxs = np.zeros_like(xs)
    for t in range(len(xs) - 1, -1, -1):
        g = lstm_step_backward(dh[t] + (dh_next if from_h else 0), dc_next if from_c else zeros, xs[t], h_prev[t],
                               c_prev[t], Step(*(a[t] for a in trace)), params)
        dh_next, dc_next, dxs[t] = g.h_prev, g.c_prev, g.x_t
        for name in _PARAMS:
            total[name] = (total[name] + getattr(g, name)) if accumulate else getattr(g, name)
    return {**total, "xs": dxs}


def _bptt_cases() -> list[dict]:
    """One sequence and a batch, from rest, with the forward pass's trace."""
    cases = []
    for number, (D, H, B, T) in enumerate(((2, 3, None, 5), (3, 2, 4, 6)), start=1):
        params = _params(D, H, seed=40 + number)
        rng = np.random.default_rng(50 + number)
        lead = () if B is None else (B,)
        xs, dh = rng.normal(0, 1, (T,) + lead + (D,)), rng.normal(0, 1, (T,) + lead + (H,))
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
        ({"accumulate": False}, "Your weight gradients hold only the share of step 0: the same weights are used at every "
                                "step, so their gradient is the SUM of every step's share."),
        ({"h_shift": 0}, "Your h_prev is off by one: step t reads h_(t-1), which is trace.h[t-1] (and zeros at t = 0), "
                         "not trace.h[t]."),
    ]]

    def reference(xs, params, trace, dh):
        return lstm_backward(xs, params, trace, dh)._asdict()

    hint = "Go back over the loop: the direction (t from T−1 down to 0), what each step receives, and what is summed."
    keys = (*_PARAMS, "xs")
    diagnose = keyed(keys, mistakes, hint, what="the twelve parameter gradients (keys as in LSTMParams) and 'xs'",
                     exact=False, differ="these gradients differ from lstm_backward's", source="lstm_backward")
    return check("lstm_backward", function, reference, _bptt_cases(), diagnose, ["xs", "params", "trace", "dh"],
                 hint, "", batched=lambda case: case["xs"].ndim == 3,
                 passed="Your backpropagation through time agrees with lstm_backward, for one sequence and a batch.")


# ------------------------------------------------------------------ chapter 9: clipping

def _clip_cases() -> list[dict]:
    """Above the threshold, below it, and one array that dominates the norm."""
    rng = np.random.default_rng(7)
    big = {"W": rng.normal(0, 3, (3, 2)), "b": rng.normal(0, 3, 3)}
    small = {k: v * 1e-3 for k, v in big.items()}
    lopsided = {"W": np.full((2, 2), 10.0), "b": np.array([0.1, -0.1])}
    return [{"grads": grads, "max_norm": max_norm} for grads, max_norm in ((big, 1.0), (small, 1.0), (lopsided, 5.0))]


def check_clip_by_global_norm(function: Callable) -> Feedback:
    """Check a reader's ``clip(grads, max_norm)`` that returns the clipped dict of gradients."""

    def per_array(grads, max_norm):
        return {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in grads.items()}

    def squared(grads, max_norm):
        norm = sum(np.sum(v**2) for v in grads.values())
        return {k: v * min(1.0, max_norm / norm) for k, v in grads.items()}

    def always(grads, max_norm):
        norm = np.sqrt(sum(np.sum(v**2) for v in grads.values()))
        return {k: v * max_norm / norm for k, v in grads.items()}

    mistakes = [
        Mistake(lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()},
                "You clipped each entry (np.clip): that changes the gradient's direction. Scale all arrays by the "
                "same factor max_norm / norm instead, so the direction is kept."),
        Mistake(per_array, "You clipped each array by its own norm: the arrays then shrink by different factors and "
                           "the direction changes. Use one global norm, the square root of the sum of squares of ALL "
                           "entries."),
        Mistake(squared, "Your norm is the sum of squares: take its square root."),
        Mistake(always, "You scaled the gradient even when its norm was already below max_norm: clipping only ever "
                        "shrinks, the factor is min(1, max_norm / norm)."),
    ]

    def reference(grads, max_norm):
        return clip_by_global_norm(grads, max_norm)[0]

    hint = "The global norm is sqrt(Σ of every squared entry), over all the arrays together."
    diagnose = keyed((), mistakes, hint, what="the same keys as grads", exact=True,
                     differ="your clipped gradients differ from the expected ones", source="clip_by_global_norm")
    return check("clip", function, reference, _clip_cases(), diagnose, ["grads", "max_norm"], hint, "",
                 batched=no_batches,
                 passed="Your clipping agrees with clip_by_global_norm: above the threshold, below it, and when "
                        "one array dominates.")
