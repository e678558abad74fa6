"""The six equations of the LSTM cell, one function each, in the book's order and notation.

    h_t = tanh(c_t) ⊙ o_t                          hidden state      (chapter 1)
    o_t = σ(W_xo x_t + W_ho h_{t-1} + b_o)         output gate       (chapter 2)
    c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t                cell state        (chapter 3)
    f_t = σ(W_xf x_t + W_hf h_{t-1} + b_f)         forget gate       (chapter 4)
    j_t = σ(W_xj x_t + W_hj h_{t-1} + b_j)         input gate        (chapter 5)
    i_t = tanh(W_xi x_t + W_hi h_{t-1} + b_i)      input state, the candidate (chapter 6)

This is the variant of Jozefowicz, Zaremba & Sutskever (2015). Careful: here i_t is the tanh *candidate* and
j_t the sigmoid *input gate*; PyTorch and Keras use the opposite letters (their g is our i, their i is our j).

Shapes (the book's tables): D input size, H hidden size, B an optional batch axis in front.
A matrix W_x? has shape (H, D) and W_h? shape (H, H), as in the maths, where W x_t is a matrix times a
column vector. Our vectors are rows (numpy's last axis), so the code computes x_t @ W.T, which is the same
product and works unchanged for a batch (B, D) of rows.
"""

from __future__ import annotations

import numpy as np

from .validation import as_float_array, check_finite, shapes

__all__ = [
    "sigmoid",
    "tanh",
    "hidden_state",
    "output_gate",
    "cell_state",
    "forget_gate",
    "input_gate",
    "input_state",
]


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(-z)), any shape, values in (0, 1).

    Computed in two branches that only ever take e^(-|z|), a number in (0, 1]: 1 / (1 + e^(-z)) for z ≥ 0 and
    e^z / (1 + e^z) for z < 0. No exponential can overflow (σ(1e4) is 1.0 and σ(-1e4) is 0.0 with no warning)
    and small values keep their digits: σ(-40) is 4.25e-18, not 0.
    """
    z = _checked(z, "sigmoid")
    with np.errstate(under="ignore"):  # e^(-|z|) may underflow to 0: σ is then exactly 0 or 1, as it should be
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def tanh(z):
    """The hyperbolic tangent, any shape, values in (-1, 1); zero-centred: tanh(0) = 0."""
    return np.tanh(_checked(z, "tanh"))


def _checked(z, func):
    """z as a finite float array (a float64 or float32 array passes through untouched)."""
    z = as_float_array(z, func=func, arg="z")
    check_finite(z, func=func, arg="z")
    return z


@shapes(c_t="*B H", o_t="*B H")
def hidden_state(c_t, o_t):
    """Equation (1): h_t = tanh(c_t) ⊙ o_t.

    c_t: (H,) or (B, H), the cell state at time t.
    o_t: (H,) or (B, H), the output gate at time t, values in (0, 1).
    Returns h_t with the same shape, values in (-1, 1).
    """
    return tanh(c_t) * o_t


@shapes(x_t="*B D", h_prev="*B H", W_xo="H D", W_ho="H H", b_o="H")
def output_gate(x_t, h_prev, W_xo, W_ho, b_o):
    """Equation (2): o_t = σ(W_xo x_t + W_ho h_{t-1} + b_o).

    x_t: (D,) or (B, D); h_prev: h_{t-1}, (H,) or (B, H);
    W_xo: (H, D); W_ho: (H, H); b_o: (H,).  Returns o_t, (H,) or (B, H), values in (0, 1).
    """
    return sigmoid(x_t @ W_xo.T + h_prev @ W_ho.T + b_o)


@shapes(c_prev="*B H", f_t="*B H", i_t="*B H", j_t="*B H")
def cell_state(c_prev, f_t, i_t, j_t):
    """Equation (3): c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t.

    c_prev: c_{t-1}, (H,) or (B, H); f_t, j_t: gates in (0, 1); i_t: candidate in (-1, 1); all the same shape.
    Returns c_t, (H,) or (B, H). Unlike h_t it is not squashed: it can grow past ±1.
    """
    return c_prev * f_t + i_t * j_t


@shapes(x_t="*B D", h_prev="*B H", W_xf="H D", W_hf="H H", b_f="H")
def forget_gate(x_t, h_prev, W_xf, W_hf, b_f):
    """Equation (4): f_t = σ(W_xf x_t + W_hf h_{t-1} + b_f).

    x_t: (D,) or (B, D); h_prev: h_{t-1}, (H,) or (B, H);
    W_xf: (H, D); W_hf: (H, H); b_f: (H,).  Returns f_t, (H,) or (B, H), values in (0, 1).
    """
    return sigmoid(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)


@shapes(x_t="*B D", h_prev="*B H", W_xj="H D", W_hj="H H", b_j="H")
def input_gate(x_t, h_prev, W_xj, W_hj, b_j):
    """Equation (5): j_t = σ(W_xj x_t + W_hj h_{t-1} + b_j).

    x_t: (D,) or (B, D); h_prev: h_{t-1}, (H,) or (B, H);
    W_xj: (H, D); W_hj: (H, H); b_j: (H,).  Returns j_t, (H,) or (B, H), values in (0, 1).
    """
    return sigmoid(x_t @ W_xj.T + h_prev @ W_hj.T + b_j)


@shapes(x_t="*B D", h_prev="*B H", W_xi="H D", W_hi="H H", b_i="H")
def input_state(x_t, h_prev, W_xi, W_hi, b_i):
    """Equation (6): i_t = tanh(W_xi x_t + W_hi h_{t-1} + b_i), the candidate written into the cell.

    x_t: (D,) or (B, D); h_prev: h_{t-1}, (H,) or (B, H);
    W_xi: (H, D); W_hi: (H, H); b_i: (H,).  Returns i_t, (H,) or (B, H), values in (-1, 1).
    """
    return tanh(x_t @ W_xi.T + h_prev @ W_hi.T + b_i)
