"""Chapter 7's checkers: `check_stack_params` (the stacked W and b) and `check_stacked_backward` (the backward
step of the stacked layout: the four parts' derivatives, block by block, then one matrix product back).

Cases: square weights (so that swapped or transposed blocks still run and are recognised), non-square ones, the
one-unit cell, batches of one and several rows, saturated parts, float32.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstm_book.cell import PARTS, LSTMParams, init_params
from lstm_book.equations import sigmoid
from lstm_book.fast import stack_params

from ..diagnoses import Mistake, several
from ..runner import Feedback, check, no_batches

__all__ = ["check_stack_params", "check_stacked_backward"]


def params_for(D: int, H: int, seed: int, dtype=np.float64) -> LSTMParams:
    """Parameters with every weight and bias drawn at random (no bias 0 or 1)."""
    rng = np.random.default_rng(seed)
    p = init_params(D, H, seed=seed)
    values = {**{k: v * 2.0 for k, v in p.as_dict().items() if k.startswith("W")},
              **{f"b_{g}": rng.normal(0, 1, H) for g in PARTS}}
    return LSTMParams(**{k: np.asarray(v, dtype=dtype) for k, v in values.items()})


def check_stack_params(function: Callable) -> Feedback:
    """Check a reader's ``stack(params) -> (W, b)``: W (4H, D+H) = [W_x? W_h?] block rows in the order
    i, j, f, o, and b (4H,)."""

    def reference(p):
        W_x, W_h, b = stack_params(p)
        return np.concatenate([W_x, W_h], axis=1), b

    def in_order(order, columns="xh", transpose=False, bias_order=None):
        def stacked(p):
            rows = [np.concatenate([getattr(p, f"W_{k}{g}") for k in columns], axis=1) for g in order]
            W = np.concatenate(rows)
            return (W.T if transpose else W), np.concatenate([getattr(p, f"b_{g}") for g in bias_order or order])
        return stacked

    mistakes = [
        Mistake(in_order("jfio"), "You stacked the parts in PyTorch's order [i, f, g, o], which in this book's letters "
                                  "is [j, f, i, o]. The book's stacked W keeps the order of the equations: i, j, f, o."),
        Mistake(in_order("ijfo", columns="hx"), "Your columns are [W_h W_x]: the first D columns should meet x_t and "
                                                "the last H columns h_{t-1}, so each block row is [W_x? W_h?]."),
        Mistake(in_order("ijfo", transpose=True), "Your W is transposed, (D+H, 4H), the layout of Keras's kernel. The "
                                                  "book keeps the maths' layout: 4H rows (one block per part), D+H columns."),
        Mistake(in_order("ifjo"), "The forget gate and the input gate are swapped: the order is i, j, f, o."),
        Mistake(in_order("ijfo", bias_order="jfio"), "W is right, but b is in PyTorch's order [j, f, i, o]: the "
                                                     "bias blocks must follow W's block rows, i, j, f, o."),
        Mistake(in_order("ijof"), "The forget gate and the output gate are swapped: the order is i, j, f, o."),
    ]
    sizes = ((3, 3, np.float64), (2, 4, np.float64), (5, 2, np.float64), (1, 1, np.float64), (4, 3, np.float32))
    cases = [{"params": params_for(D, H, seed, dtype)} for seed, (D, H, dtype) in enumerate(sizes)]
    hint = "W has shape (4H, D+H): four block rows of H rows each; b has shape (4H,)."
    return check("stack", function, reference, cases, several(("W", "b"), mistakes, hint), ["params"], hint,
                 "(D, H) = (3, 3), (2, 4), (5, 2), (1, 1) and (4, 3) in float32", batched=no_batches)


# ------------------------------------------------------------------ the stacked backward step

def _stacked_backward(dgates, gates, x_t, h_prev, W, *, slope="ok", tanh_block=0, dW="ok", db="sum", split="ok"):
    """The backward step of the stacked layout, with the switches that make the classic mistakes."""
    H, D = gates.shape[-1] // 4, x_t.shape[-1]
    sig = gates * (1 - gates)
    tan = 1 - gates**2
    if slope == "ok":
        s = sig.copy()
        s[:, tanh_block * H:(tanh_block + 1) * H] = tan[:, tanh_block * H:(tanh_block + 1) * H]
    else:
        s = {"sigma": sig, "tanh": tan, "value": gates, "none": np.ones_like(gates),
             "again": sigmoid(gates) * (1 - sigmoid(gates))}[slope]
    dz = dgates * s
    xh = np.concatenate([h_prev, x_t] if dW == "hx" else [x_t, h_prev], axis=-1)
    B = dz.shape[0]
    grad_W = {"ok": dz.T @ xh, "hx": dz.T @ xh, "T": xh.T @ dz, "mean": dz.T @ xh / B}[dW]
    grad_b = {"sum": dz.sum(0), "none": dz, "mean": dz.mean(0)}[db]
    dxh = dz @ W
    dx, dh = (dxh[:, D:], dxh[:, :D]) if split == "swap" else (dxh[:, :D], dxh[:, D:])
    return dx, dh, grad_W, grad_b


def _stacked_cases() -> list[dict]:
    cases = []
    for seed, (D, H, B, scale, dtype) in enumerate(((3, 3, 2, 1.0, np.float64), (2, 4, 3, 1.0, np.float64),
                                                     (1, 1, 1, 1.0, np.float64), (5, 2, 4, 1.0, np.float32),
                                                     (3, 3, 5, 4.0, np.float64))):
        rng = np.random.default_rng(7000 + seed)
        x, h = rng.normal(0, 1, (B, D)), rng.uniform(-1, 1, (B, H))
        W = rng.normal(0, scale, (4 * H, D + H))
        z = np.concatenate([x, h], axis=1) @ W.T + rng.normal(0, scale, 4 * H)
        gates = sigmoid(z)
        gates[:, :H] = np.tanh(z[:, :H])
        case = {"dgates": rng.normal(0, 1, (B, 4 * H)), "gates": gates, "x_t": x, "h_prev": h, "W": W}
        cases.append({k: v.astype(dtype) for k, v in case.items()})
    return cases


def check_stacked_backward(function: Callable) -> Feedback:
    """Check a reader's ``stacked_backward(dgates, gates, x_t, h_prev, W)`` -> ``(dx_t, dh_prev, dW, db)``: the
    backward step of chapter 7's layout. gates (B, 4H) are the values [i | j | f | o], dgates the loss's gradient
    with respect to them, W (4H, D+H) the stacked weights."""
    M = Mistake

    def make(**switches):
        return lambda *args: _stacked_backward(*args, **switches)

    mistakes = [
        M(make(slope="sigma"), "The first block is the candidate i_t = tanh(z_i): its derivative is 1 − i_t², but you "
                               "used σ' = i_t (1 − i_t) there (a derivative written for the wrong function). Only the "
                               "blocks j, f, o are sigmoids."),
        M(make(slope="tanh"), "The blocks j, f, o are sigmoids: their derivative is g (1 − g), but you used "
                              "tanh' = 1 − g² for all four blocks. Only the first block, i_t, is a tanh."),
        M(make(tanh_block=2), "You treated the THIRD block as the candidate (PyTorch's order i, f, g, o). In the book's "
                              "order i, j, f, o the candidate, with tanh' = 1 − i², is the FIRST block."),
        M(make(tanh_block=1), "You treated the second block as the candidate: in the order i, j, f, o the candidate "
                              "i_t (tanh' = 1 − i²) is the first block, j_t the second (a sigmoid)."),
        M(make(slope="value"), "You multiplied by the parts' values where their derivatives belong: σ' = g (1 − g) "
                               "and tanh' = 1 − i², not g and i."),
        M(make(slope="none"), "The derivatives of the nonlinearities are missing: between the values in `gates` and "
                              "W sit tanh (first block) and σ (the other three); multiply dgates by their "
                              "derivatives first."),
        M(make(slope="again"), "You applied σ to the gates again: the values are already σ(z), so σ'(z) = g (1 − g), "
                               "not σ(g)(1 − σ(g))."),
        M(make(dW="T"), "Your dW is transposed, (D+H, 4H): W has shape (4H, D+H), and so has its gradient, "
                        "dz^T [x_t h_prev]."),
        M(make(dW="hx"), "The columns of your dW are [h_prev x_t]: W's first D columns meet x_t, so "
                         "dW = dz^T [x_t h_prev]."),
        M(make(dW="mean"), "Your dW is the MEAN over the batch: every row of the batch adds its share to the "
                           "gradient of the shared weights, so sum over the batch, dz^T [x_t h_prev]."),
        M(make(db="none"), "Your db has a batch axis: the bias is shared by every row of the batch, so its gradient "
                           "is the sum over the batch, dz.sum(axis=0)."),
        M(make(db="mean"), "Your db is the MEAN over the batch: the bias's gradient is the SUM of every row's share, "
                           "dz.sum(axis=0)."),
        M(make(split="swap"), "dx_t and dh_prev are swapped: the first D columns of dz @ W belong to x_t, the last H "
                              "to h_prev (W's columns are [W_x W_h])."),
    ]
    hint = ("dz = dgates ⊙ [1 − i² | j(1 − j) | f(1 − f) | o(1 − o)] has shape (B, 4H); dz @ W (B, D+H) splits into "
            "dx_t (its first D columns) and dh_prev; dW = dz^T [x_t h_prev] (4H, D+H); db = dz summed over the batch.")
    cases = _stacked_cases()
    return check("stacked_backward", function, _stacked_backward, cases,
                 several(("dx_t", "dh_prev", "dW", "db"), mistakes, hint), list(cases[0]), hint,
                 "square and non-square weights, the one-unit cell, batches of 1 to 5 rows, saturated parts, float32",
                 batched=no_batches)
