"""The whole cell as one matrix product: the forward pass the rest of the book trains with (chapter 7).

The four parts i, j, f, o all compute "weights times [x_t, h_{t-1}] plus a bias". Stacked, they are one product:

    z_t = W [x_t; h_{t-1}] + b,   W = [[W_xi, W_hi],     (4H, D+H): one block row per part, in the order i, j, f, o
                                       [W_xj, W_hj],
                                       [W_xf, W_hf],
                                       [W_xo, W_ho]],    b = [b_i; b_j; b_f; b_o]  (4H,)

and the four nonlinearities act on the four blocks of z_t. The columns of W split into W_x (4H, D), which meets
x_t, and W_h (4H, H), which meets h_{t-1}. Every x_t is known before the loop starts, so the input half is done
for all time steps at once, in one large product; only h_{t-1} @ W_h.T has to wait for the previous step.

The equations are those of `lstm_step` (chapters 1-6); a test holds the two to 1e-12 in float64.
`lstm_forward` checks its inputs once and hands them to `_forward`, the loop, which runs unchecked.
"""

from __future__ import annotations

import numpy as np

from .cell import PARTS, LSTMParams, Trace, _check_inputs
from .validation import LSTMInputError, as_float_array, check_finite, labelled, no_overflow

__all__ = ["stack_params", "unstack", "lstm_forward"]


def stack_params(params: LSTMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The twelve arrays as three stacked ones, parts in the book's order i, j, f, o.

    Returns W_x: (4H, D), the input weights;  W_h: (4H, H), the recurrent weights;  b: (4H,).
    Rows k·H to (k+1)·H belong to part k of (i, j, f, o). [W_x W_h] is the (4H, D+H) matrix W of the chapter.
    """
    if not isinstance(params, LSTMParams):
        raise LSTMInputError(f"stack_params: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    return _stack(params)


def _stack(params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`stack_params` for any mapping of the twelve arrays by name (the training loop's plain dict too)."""
    W_x = np.concatenate([params[f"W_x{g}"] for g in PARTS])
    W_h = np.concatenate([params[f"W_h{g}"] for g in PARTS])
    b = np.concatenate([params[f"b_{g}"] for g in PARTS])
    return W_x, W_h, b


def unstack(stacked: np.ndarray, kind: str) -> dict[str, np.ndarray]:
    """Split a stacked array (4H rows on the first axis, or 4H entries on the last axis for kind="z")
    back into the four parts, named as in `LSTMParams`: kind "W_x", "W_h", "b", or "z" for activations."""
    if kind not in ("W_x", "W_h", "b", "z"):
        raise LSTMInputError(f"unstack: argument 'kind' should be one of 'W_x', 'W_h', 'b', 'z', but got {kind!r}")
    stacked = as_float_array(stacked, func="unstack", arg="stacked")
    check_finite(stacked, func="unstack", arg="stacked")
    axis = -1 if kind == "z" else 0
    if stacked.ndim == 0 or stacked.shape[axis] == 0 or stacked.shape[axis] % 4:
        raise LSTMInputError(f"unstack: argument 'stacked' should have 4H entries (H >= 1) on axis {axis} for kind "
                             f"{kind!r}, but got shape {stacked.shape}")
    return _unstack(stacked, kind)


def _unstack(stacked: np.ndarray, kind: str) -> dict[str, np.ndarray]:
    n = stacked.shape[-1 if kind == "z" else 0] // 4                 # H: each part's share, a view (no copy)
    names = {"W_x": "W_x{}", "W_h": "W_h{}", "b": "b_{}", "z": "{}"}[kind]
    return {names.format(g): stacked[..., k * n:(k + 1) * n] if kind == "z" else stacked[k * n:(k + 1) * n]
            for k, g in enumerate(PARTS)}


def lstm_forward(xs, params: LSTMParams, h0=None, c0=None) -> Trace:
    """Run the cell over a sequence, starting from h0 and c0 (zeros if not given): the fast cell.

    xs: (T, D) for one sequence or (T, B, D) for a batch of B sequences; T >= 1.
    h0, c0: (H,) or (B, H), batched like xs.  Returns a `Trace` whose fields have shape (T, H) or (T, B, H).
    float32 inputs and parameters give float32 results. The inputs are checked once, here.
    """
    xs, h0, c0 = _check_inputs("lstm_forward", params, xs=xs, h0=h0, c0=c0)
    unbatched = xs.ndim == 2
    if unbatched:  # one sequence is a batch of one
        xs, h0, c0 = xs[:, None, :], h0[None, :], c0[None, :]
    with no_overflow("lstm_forward", {"xs": xs, "h0": h0, "c0": c0, **labelled(params)}):
        trace = _forward(xs, params, h0, c0)
    return Trace(*(a[:, 0] for a in trace)) if unbatched else trace


def _forward(xs, params: LSTMParams, h, c):
    """The loop of `lstm_forward`, on checked inputs: xs (T, B, D), or (T, B) integer character ids that stand for
    one-hot inputs (chapter 12); h and c (B, H); params: the twelve arrays by name (an `LSTMParams`, or the
    training loop's dict of arrays it has checked).

    Returns the `Trace`, each field (T, B, H).
    """
    ids = xs.dtype.kind in "iu"                         # (T, B) character ids instead of inputs (chapter 12)
    dtype = np.result_type(h, c, *params.values(), *(() if ids else (xs,)))
    return _run(xs, _halved(params, dtype, ids), h, c)


def _halved(params, dtype, ids: bool):
    """The stacked weights as the loop uses them, in `dtype`, the rows of the σ parts halved: W_x (4H, D),
    W_h^T (H, 4H), b (4H,), and for ids (chapter 12) the table W_x^T + b (D, 4H), else None. A caller that steps
    one character at a time (`lstm_book.charlm.sample`) makes them once."""
    W_x, W_h, b = (a.astype(dtype, copy=False) for a in _stack(params))
    # σ(z) = (1 + tanh(z/2)) / 2, so one tanh serves all four parts if the σ parts' rows are halved first
    half = np.ones(len(b), dtype)
    half[len(b) // 4:] = 0.5
    W_hT = np.ascontiguousarray(W_h.T) * half           # (H, 4H), copied row by row: the BLAS reads it faster
    W_x, b = W_x * half[:, None], b * half
    # x_t = one_hot(k): W_x x_t + b is row k of the table W_x^T + b, so the input half is a lookup, no product
    return W_x, W_hT, b, (np.ascontiguousarray(W_x.T) + b) if ids else None


def _run(xs, halved, h, c):
    """The loop itself, with the weights `_halved` made: xs (T, B, D) or ids (T, B); h and c (B, H)."""
    W_x, W_hT, b, table = halved
    T, B = xs.shape[:2]
    H, dtype = W_hT.shape[0], W_hT.dtype
    if table is not None:                               # ids: every step's W_x x_t + b, looked up
        gates = table[xs.reshape(T * B)]
    else:
        gates = xs.astype(dtype, copy=False).reshape(T * B, -1) @ W_x.T   # the input half of every step, one product,
        gates += b                                                        # plus the bias: (T·B, 4H) ...
    gates = gates.reshape(T, B, 4 * H)                                # ... then, step by step, the gates in place
    cs = np.empty((T, B, H), dtype)
    hs = np.empty((T, B, H), dtype)
    recurrent, write, tanh_c = np.empty((B, 4 * H), dtype), np.empty((B, H), dtype), np.empty((B, H), dtype)
    for t in range(T):
        a = gates[t]
        np.matmul(h, W_hT, out=recurrent)               # the recurrent half: h_{t-1} W_h^T
        a += recurrent                                  # + the input half and the bias: z_t (halved for σ)
        np.tanh(a, out=a)                               # tanh for all four parts ...
        sig = a[:, H:]
        sig *= 0.5
        sig += 0.5                                      # ... and (1 + tanh(z/2)) / 2 = σ(z) for j, f, o
        i, j, f, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c_t, h_t = cs[t], hs[t]
        np.multiply(c, f, out=c_t)                      # c_t = c_{t-1} ⊙ f_t
        np.multiply(i, j, out=write)
        c_t += write                                    #       + i_t ⊙ j_t
        np.tanh(c_t, out=tanh_c)
        np.multiply(tanh_c, o, out=h_t)                 # h_t = tanh(c_t) ⊙ o_t
        h, c = h_t, c_t
    parts = _unstack(gates, "z")                        # i, j, f, o: views into the one (T, B, 4H) array
    return Trace(parts["i"], parts["j"], parts["f"], parts["o"], cs, hs)

