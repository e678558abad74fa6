"""A plain recurrent network, for comparison with the LSTM (chapter 9; Part III trains it too).

    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)

One state, no gates, no separate memory: the hidden state is squashed and multiplied by W_hh at every step,
which is why its error signal shrinks (or grows) geometrically on the way back. Shapes as in the LSTM:
x_t (D,) or (B, D), h_t (H,) or (B, H), W_xh (H, D), W_hh (H, H), b_h (H,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .params import Params
from .validation import LSTMInputError, as_float_array, check_finite, check_float_dtype, check_integer, labelled, no_overflow

__all__ = ["RNNParams", "RNNGradients", "init_rnn_params", "rnn_forward", "rnn_backward", "rnn_error_signal"]


class RNNParams(Params):
    """The weights of a plain recurrent network, ``RNNParams(W_xh=..., W_hh=..., b_h=...)``: W_xh (H, D),
    W_hh (H, H), b_h (H,). Checked when made, read-only, like `LSTMParams` (a `Params`, lstm_book.params)."""

    NAMES = ("W_xh", "W_hh", "b_h")
    LAYOUT = {"W_xh": "H D", "W_hh": "H H", "b_h": "H"}

    def __init__(self, W_xh=None, W_hh=None, b_h=None, **unknown):
        arrays = {k: v for k, v in (("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h)) if v is not None}
        super().__init__({**arrays, **unknown}, self.LAYOUT, func="RNNParams")

    def _remade(self, arrays: dict) -> "RNNParams":
        return RNNParams(**arrays)


class RNNGradients(NamedTuple):
    """∂L/∂ of every input of `rnn_forward`: W_xh, W_hh, b_h, xs, h0, each with the shape of what it is the
    gradient of."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray
    xs: np.ndarray
    h0: np.ndarray


def init_rnn_params(input_size: int, hidden_size: int, *, seed: int = 0, dtype=np.float64) -> RNNParams:
    """Random weights uniform in ±1/√H (as PyTorch's nn.RNN), bias 0. Seeded: the same every run.

    input_size D >= 1, hidden_size H >= 1, seed >= 0: integers;  dtype: np.float64 (the default) or np.float32.
    """
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 1 <= value <= _MAX_SIZE:
            raise LSTMInputError(f"init_rnn_params: argument '{name}' should be a positive integer (at most "
                                 f"{_MAX_SIZE}), but got {value!r}")
    seed = check_integer(seed, func="init_rnn_params", arg="seed", low=0)
    dtype = check_float_dtype(dtype, func="init_rnn_params", arg="dtype")
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(hidden_size)
    return RNNParams(W_xh=rng.uniform(-scale, scale, (hidden_size, input_size)).astype(dtype),
                     W_hh=rng.uniform(-scale, scale, (hidden_size, hidden_size)).astype(dtype),
                     b_h=np.zeros(hidden_size, dtype))


#: The largest input or hidden size `init_rnn_params` makes (10^4 · 10^4 weights already take 800 MB): a typo above.
_MAX_SIZE = 10_000


def rnn_forward(xs, params: RNNParams, h0=None) -> np.ndarray:
    """The hidden states h_1 … h_T of a plain RNN, starting from h0 (zeros if not given).

    xs: (T, D) or (T, B, D);  h0: (H,) or (B, H), batched like xs.  Returns hs: (T, H) or (T, B, H).
    """
    xs, h = _check("rnn_forward", xs, params, h0=h0)
    with no_overflow("rnn_forward", {"xs": xs, "h0": h, **labelled(params)}):
        return _rnn_forward(xs, params, h)


def _rnn_forward(xs, params, h) -> np.ndarray:
    """The loop of `rnn_forward` on checked inputs; params: W_xh, W_hh, b_h by name (any mapping). xs may also be
    (T, B) integer character ids that stand for one-hot inputs (chapter 14): then W_xh x_t is column k_t of W_xh."""
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    ids = xs.dtype.kind in "iu"
    hs = np.empty(xs.shape[:2 if ids else -1] + (W_hh.shape[0],), np.result_type(h, W_hh, *(() if ids else (xs,))))
    z = (W_xh.T[xs] if ids else xs @ W_xh.T) + b_h    # the input's part of every step: a lookup, or one product
    for t in range(len(xs)):
        h = hs[t] = np.tanh(z[t] + h @ W_hh.T)
    return hs


def rnn_backward(xs, params: RNNParams, hs, dh, h0=None) -> RNNGradients:
    """Backpropagation through time for the plain RNN, given dh = ∂L/∂h_t for every t.

    xs, params, h0: what `rnn_forward` was given; hs: what it returned, (T, H) or (T, B, H); dh: the shape of hs.
    At each step back the error is multiplied by tanh'(z_t) = 1 − h_t² and by W_hh: nothing else carries it.
    """
    xs, h0, hs, dh = _check("rnn_backward", xs, params, h0=h0, hs=hs, dh=dh)
    _check_first_step("rnn_backward", xs, params, h0, hs)
    with no_overflow("rnn_backward", {"xs": xs, "dh": dh, "h0": h0, **labelled(params)}):
        return _rnn_backward(xs, params, hs, dh, h0)


def _rnn_backward(xs, params, hs, dh, h0) -> RNNGradients:
    """`rnn_backward` on checked inputs; params: W_xh, W_hh, b_h by name (any mapping)."""
    h_prev = np.concatenate([h0[None], hs[:-1]])
    dz, _, dh_next = _back_through_time(params, hs, dh)
    H, D = params["W_hh"].shape[0], params["W_xh"].shape[1]
    flat = dz.reshape(-1, H)
    if xs.dtype.kind in "iu":  # character ids (chapter 14): the lookup's backward is the product with one-hot rows
        xs, dxs = np.eye(D, dtype=dz.dtype)[xs], None                  # and integer ids get no gradient
    else:
        dxs = dz @ params["W_xh"]
    return RNNGradients(W_xh=flat.T @ xs.reshape(-1, D), W_hh=flat.T @ h_prev.reshape(-1, H),
                        b_h=flat.sum(axis=0), xs=dxs, h0=dh_next)


def _check_first_step(func, xs, params, h0, hs):
    """Refuse states `hs` of another forward pass: the first step is recomputed and compared."""
    with no_overflow(func, {"xs": xs, "h0": h0, **labelled(params)}):
        first = np.tanh(xs[0] @ params.W_xh.T + h0 @ params.W_hh.T + params.b_h)
    tol = 1e-4 if hs.dtype == np.float32 else 1e-9
    if not np.allclose(first, hs[0], rtol=tol, atol=tol):
        raise LSTMInputError(f"{func}: argument 'hs' does not belong to these inputs: its first step differs "
                             f"from rnn_forward(xs, params, h0). Pass the states of this very forward pass.")


def rnn_error_signal(xs, params: RNNParams, hs, dh, h0=None) -> np.ndarray:
    """∂L/∂h_t at every step (the loss's own dh[t] plus what step t+1 sends back), (T, H) or (T, B, H).

    Arguments as for `rnn_backward`. Chapter 9 sets it beside the LSTM's `error_signal`.
    """
    xs, h0, hs, dh = _check("rnn_error_signal", xs, params, h0=h0, hs=hs, dh=dh)
    _check_first_step("rnn_error_signal", xs, params, h0, hs)
    with no_overflow("rnn_error_signal", {"dh": dh, **labelled(params)}):
        return _back_through_time(params, hs, dh)[1]


def _back_through_time(params, hs, dh):
    """The loop of `rnn_backward`. Returns dz (the error at each pre-activation), the error at each h_t, both
    (T, ..., H), and ∂L/∂h_0."""
    dz, total = np.empty_like(dh), np.empty_like(dh)
    dh_next = np.zeros_like(dh[0])                                      # what h_t receives from step t+1
    for t in range(len(hs) - 1, -1, -1):
        total[t] = dh[t] + dh_next                                     # all of ∂L/∂h_t
        dz[t] = total[t] * (1 - hs[t] ** 2)                            # through tanh
        dh_next = dz[t] @ params["W_hh"]                               # back to h_{t-1}
    return dz, total, dh_next


def _check(func, xs, params, **arrays):
    """Checks of the public functions: xs (T, D) or (T, B, D); h0 batched like xs; hs and dh like the output."""
    if not isinstance(params, RNNParams):
        raise LSTMInputError(f"{func}: argument 'params' should be an RNNParams, but got {type(params).__name__}")
    D, H = params.input_size, params.hidden_size
    xs = as_float_array(xs, func=func, arg="xs")
    if xs.ndim not in (2, 3) or xs.shape[-1] != D:
        raise LSTMInputError(f"{func}: argument 'xs' should have shape (T, D={D}) or (T, B, D={D}), "
                             f"but got shape {xs.shape}")
    if xs.shape[0] == 0 or 0 in xs.shape[1:-1]:
        raise LSTMInputError(f"{func}: argument 'xs' is empty (shape {xs.shape}); need T >= 1 and B >= 1")
    check_finite(xs, func=func, arg="xs")
    out = [xs]
    for name, value in arrays.items():
        want = xs.shape[1:-1] + (H,) if name == "h0" else xs.shape[:-1] + (H,)
        if value is None and name == "h0":
            value = np.zeros(want, xs.dtype)
        value = as_float_array(value, func=func, arg=name)
        if value.shape != want:
            raise LSTMInputError(f"{func}: argument '{name}' should have shape {want} (from 'xs' {xs.shape} and "
                                 f"H={H}), but got shape {value.shape}")
        check_finite(value, func=func, arg=name)
        out.append(value)
    return out
