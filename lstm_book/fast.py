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
"""

from __future__ import annotations

import numpy as np

from .cell import PARTS, LSTMParams, Trace, _check_inputs
from .validation import no_overflow

__all__ = ["stack_params", "unstack", "lstm_forward"]


def stack_params(params: LSTMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The twelve arrays as three stacked ones, parts in the book's order i, j, f, o.

    Returns W_x: (4H, D), the input weights;  W_h: (4H, H), the recurrent weights;  b: (4H,).
    Rows k·H to (k+1)·H belong to part k of (i, j, f, o). [W_x W_h] is the (4H, D+H) matrix W of the chapter.
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(f"stack_params: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    W_x = np.concatenate([params.part(g)[0] for g in PARTS])
    W_h = np.concatenate([params.part(g)[1] for g in PARTS])
    b = np.concatenate([params.part(g)[2] for g in PARTS])
    return W_x, W_h, b


def unstack(stacked: np.ndarray, kind: str) -> dict[str, np.ndarray]:
    """Split a stacked array (4H rows on the first axis, or 4H entries on the last axis for kind="z")
    back into the four parts, named as in `LSTMParams`: kind "W_x", "W_h", "b", or "z" for activations."""
    blocks = np.split(stacked, 4, axis=-1 if kind == "z" else 0)
    names = {"W_x": "W_x{}", "W_h": "W_h{}", "b": "b_{}", "z": "{}"}[kind]
    return {names.format(g): block for g, block in zip(PARTS, blocks)}


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
    with no_overflow("lstm_forward", {"xs": xs, "h0": h0, "c0": c0, **_named(params)}):
        gates, c, h = _forward(xs, params, h0, c0)
    parts = unstack(gates, "z")
    trace = Trace(parts["i"], parts["j"], parts["f"], parts["o"], c, h)
    return Trace(*(a[:, 0] for a in trace)) if unbatched else trace


def _forward(xs, params: LSTMParams, h, c):
    """The loop of `lstm_forward`, on checked inputs: xs (T, B, D), h and c (B, H).

    Returns gates (T, B, 4H) holding i, j, f, o side by side, and c, h (T, B, H).
    """
    T, B, _ = xs.shape
    H = params.hidden_size
    dtype = np.result_type(xs, h, c, *params.as_dict().values())
    W_x, W_h, b = (a.astype(dtype, copy=False) for a in stack_params(params))
    # σ(z) = (1 + tanh(z/2)) / 2, so one tanh serves all four parts if the σ parts' rows are halved first
    half = np.ones(4 * H, dtype)
    half[H:] = 0.5
    W_x, W_h, b = W_x * half[:, None], W_h * half[:, None], b * half
    W_hT = W_h.T                                        # (H, 4H), a view: numpy multiplies it without a copy
    D = xs.shape[2]
    z = (xs.astype(dtype, copy=False).reshape(T * B, D) @ W_x.T + b).reshape(T, B, 4 * H)
    # z: (T, B, 4H), the input half of every step, in one large product
    gates = np.empty((T, B, 4 * H), dtype)
    cs = np.empty((T, B, H), dtype)
    hs = np.empty((T, B, H), dtype)
    write, tanh_c = np.empty((B, H), dtype), np.empty((B, H), dtype)
    for t in range(T):
        a = gates[t]
        np.matmul(h, W_hT, out=a)                        # the recurrent half: h_{t-1} W_h^T
        np.add(a, z[t], out=a)                          # + the input half and the bias: z_t (halved for σ)
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
    return gates, cs, hs


def _named(params: LSTMParams) -> dict[str, np.ndarray]:
    """The parameters by the names an error message gives them: params.W_xi, ..."""
    return {f"params.{k}": v for k, v in params.as_dict().items()}
