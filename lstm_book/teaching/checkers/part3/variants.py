"""Chapter 11's checkers: the equations the variants change (`check_coupled_cell_state`,
`check_gru_hidden_state`, `check_peephole_forget_gate`, the last reusing Part I's catalogue of gate mistakes) and
the coupled cell's backward step (`check_coupled_memory_backward`, where f_t appears twice and the product rule
gives it two terms).

Cases: one vector and batches (also of one row), square and non-square weights, the one-unit cell, saturated
gates, float32.
"""

from __future__ import annotations

import numpy as np

from lstm_book.equations import sigmoid, tanh

from ..diagnoses import Mistake, several, single
from ..part1.gates import gate_mistakes
from ..runner import Feedback, check

__all__ = ["check_coupled_cell_state", "check_gru_hidden_state", "check_peephole_forget_gate",
           "check_coupled_memory_backward"]

_ELEMENTWISE_HINT = "All inputs and the result have the same shape; every operation is elementwise."


def _elementwise_cases(names, ranges) -> list[dict]:
    rng = np.random.default_rng(2017)
    cases = []
    for lead, H, dtype in (((), 3, np.float64), ((2,), 3, np.float64), ((4,), 5, np.float64), ((1,), 2, np.float64),
                           ((), 1, np.float64), ((3,), 4, np.float32)):
        cases.append({n: rng.uniform(*ranges[n], lead + (H,)).astype(dtype) for n in names})
    return cases


def check_coupled_cell_state(function) -> Feedback:
    """Check a reader's coupled memory update ``coupled_cell_state(c_prev, f_t, i_t)``: c_t = c_{t-1} ⊙ f_t +
    i_t ⊙ (1 - f_t)."""
    def reference(c, f, i):
        return c * f + i * (1.0 - f)

    mistakes = [
        Mistake(lambda c, f, i: c * (1 - f) + i * f, "You swapped the two factors: f_t keeps the old memory, so "
                "c_{t-1} is multiplied by f_t and the candidate by what is left, 1 - f_t."),
        Mistake(lambda c, f, i: c * f + i * f, "The candidate is let in by 1 - f_t, not by f_t: in the coupled cell "
                "the input gate is j_t = 1 - f_t."),
        Mistake(lambda c, f, i: c * f + i, "The candidate is written in full: multiply it by j_t = 1 - f_t."),
        Mistake(lambda c, f, i: c + i * (1 - f), "The old memory is kept in full: multiply c_{t-1} by f_t."),
        Mistake(lambda c, f, i: c * f + i * (f - 1), "The sign of the input gate is wrong: j_t = 1 − f_t, not f_t − 1."),
        Mistake(lambda c, f, i: c * f + np.tanh(i) * (1 - f), "You applied tanh to i_t again: the candidate is "
                "already tanh(...); write it as it comes."),
        Mistake(lambda c, f, i: np.tanh(c * f + i * (1 - f)), "You applied tanh to the new memory: c_t itself is not "
                "squashed (tanh(c_t) is what h_t shows)."),
        Mistake(lambda c, f, i: (c + i) * (1 - f), "Both terms are multiplied by 1 − f_t: the old memory is kept by f_t."),
    ]
    names = ("c_prev", "f_t", "i_t")
    return check("coupled_cell_state", function, reference,
                 _elementwise_cases(names, {"c_prev": (-2, 2), "f_t": (0, 1), "i_t": (-1, 1)}),
                 single("c_t", mistakes, _ELEMENTWISE_HINT), names, _ELEMENTWISE_HINT,
                 "one sequence and batches (also of one row), the one-unit cell, float32")


def check_gru_hidden_state(function) -> Feedback:
    """Check a reader's ``gru_hidden_state(h_prev, z_t, n_t)``: h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}."""
    def reference(h, z, n):
        return (1.0 - z) * n + z * h

    mistakes = [
        Mistake(lambda h, z, n: z * n + (1 - z) * h, "z_t and 1 - z_t are swapped: in this book (and in PyTorch "
                "and Cho et al. 2014) the update gate z_t is the share of the old state h_{t-1} that is kept, like "
                "the forget gate; the new candidate gets 1 - z_t."),
        Mistake(lambda h, z, n: n + z * h, "The candidate is added in full: weigh it by 1 - z_t, so that h_t is an "
                "average of h_{t-1} and n_t and stays in (-1, 1)."),
        Mistake(lambda h, z, n: (1 - z) * n, "The old state is missing: add z_t ⊙ h_{t-1}."),
        Mistake(lambda h, z, n: (1 - z) * n + h, "The old state is kept in full: multiply h_{t-1} by z_t."),
        Mistake(lambda h, z, n: (1 - z) * n + z * np.tanh(h), "You applied tanh to h_{t-1}: the GRU keeps the old state "
                "itself, z_t ⊙ h_{t-1}."),
        Mistake(lambda h, z, n: np.tanh((1 - z) * n + z * h), "You applied tanh to the new state: h_t is already an "
                "average of two values in (-1, 1); it is not squashed again."),
        Mistake(lambda h, z, n: (1 - z) * np.tanh(n) + z * h, "You applied tanh to n_t again: the candidate is already "
                "tanh(...)."),
        Mistake(lambda h, z, n: (z - 1) * n + z * h, "The sign of the candidate's weight is wrong: 1 − z_t, not z_t − 1."),
    ]
    names = ("h_prev", "z_t", "n_t")
    return check("gru_hidden_state", function, reference,
                 _elementwise_cases(names, {"h_prev": (-1, 1), "z_t": (0, 1), "n_t": (-1, 1)}),
                 single("h_t", mistakes, _ELEMENTWISE_HINT), names, _ELEMENTWISE_HINT,
                 "one sequence and batches (also of one row), the one-unit cell, float32")


def _peephole_cases() -> list[dict]:
    rng = np.random.default_rng(2000)
    cases = []
    for D, H, B, scale, dtype in ((3, 3, None, 1.0, np.float64), (3, 3, 2, 1.0, np.float64), (2, 4, 3, 1.0, np.float64),
                                  (4, 2, None, 1.0, np.float64), (2, 3, 1, 1.0, np.float64), (1, 1, None, 1.0, np.float64),
                                  (4, 2, 3, 1.0, np.float32), (3, 3, None, 4.0, np.float64)):
        lead = () if B is None else (B,)
        case = {"x_t": rng.normal(size=lead + (D,)), "h_prev": rng.uniform(-1, 1, lead + (H,)),
                "c_prev": rng.normal(0, 1.5, lead + (H,)), "W_xf": rng.normal(0, scale, (H, D)),
                "W_hf": rng.normal(0, scale, (H, H)), "p_f": rng.normal(0, scale, H), "b_f": rng.normal(0.5, scale, H)}
        cases.append({k: v.astype(dtype) for k, v in case.items()})
    return cases


def check_peephole_forget_gate(function) -> Feedback:
    """Check a reader's ``peephole_forget_gate(x_t, h_prev, c_prev, W_xf, W_hf, p_f, b_f)``:
    f_t = σ(W_xf x_t + W_hf h_{t-1} + p_f ⊙ c_{t-1} + b_f)."""
    def reference(x, h, c, Wx, Wh, p, b):
        return sigmoid(x @ Wx.T + h @ Wh.T + p * c + b)

    # Part I's mistakes of the forget gate, with the peephole term right (it rides along with the bias); those
    # about the bias are said for the bias alone below
    part1 = [Mistake(lambda x, h, c, Wx, Wh, p, b, m=m: m.compute(x, h, Wx, Wh, b + p * c), m.message)
             for m in gate_mistakes("f") if "bias" not in m.message and "b_f" not in m.message]
    mistakes = [
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + b),
                "The peephole term is missing: the gate also sees the cell state, through p_f ⊙ c_(t-1)."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + np.asarray(c @ p)[..., None] + b),
                "p_f is a vector of one weight per unit and acts elementwise: p_f ⊙ c_(t-1), not a dot product. "
                "Unit k of the gate peeks at unit k of the memory only."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * np.tanh(c) + b),
                "The peephole sees the cell state itself, c_(t-1), not tanh(c_(t-1)) (which is what h shows)."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * h + b),
                "Your peephole looks at h_(t-1): it looks at the cell state, p_f ⊙ c_(t-1)."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T - p * c + b),
                "The peephole term is subtracted: the equation adds p_f ⊙ c_(t-1)."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * c) + b,
                "The bias is added after the nonlinearity: b_f belongs inside σ, with the other terms."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * c),
                "The bias is left out: add b_f inside σ."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * c - b),
                "The bias is subtracted: the equation adds b_f."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + b) + p * c,
                "The peephole term is added after σ: p_f ⊙ c_(t-1) belongs inside, with the other terms."),
    ] + part1
    hint = "W_xf (H, D) meets x_t, W_hf (H, H) meets h_prev, and p_f (H,) multiplies c_prev elementwise."
    cases = _peephole_cases()
    return check("peephole_forget_gate", function, reference, cases, single("f_t", mistakes, hint), list(cases[0]),
                 hint, "one vector and batches (also of one row), square and non-square weights, the one-unit cell, "
                       "saturated gates, float32")


def check_coupled_memory_backward(function) -> Feedback:
    """Check a reader's ``coupled_memory_backward(dc_t, c_prev, f_t, i_t)`` -> ``(dc_prev, df_t, di_t)`` for the
    coupled cell c_t = c_{t-1} ⊙ f_t + i_t ⊙ (1 − f_t)."""
    def reference(dc, c, f, i):
        return dc * f, dc * (c - i), dc * (1 - f)

    mistakes = [
        Mistake(lambda dc, c, f, i: (dc * f, dc * c, dc * (1 - f)),
                "A term of the product rule is dropped: f_t appears twice, in c_(t-1) ⊙ f_t and in i_t ⊙ (1 − f_t), so "
                "df_t = dc_t ⊙ c_(t-1) − dc_t ⊙ i_t = dc_t ⊙ (c_(t-1) − i_t)."),
        Mistake(lambda dc, c, f, i: (dc * f, dc * (c + i), dc * (1 - f)),
                "The sign of the second term is wrong: d(1 − f_t)/df_t = −1, so df_t = dc_t ⊙ (c_(t-1) − i_t)."),
        Mistake(lambda dc, c, f, i: (dc * f, dc * (i - c), dc * (1 - f)),
                "The sign of df_t is wrong: df_t = dc_t ⊙ (c_(t-1) − i_t)."),
        Mistake(lambda dc, c, f, i: (dc * f, dc * (c - i), dc * f),
                "The candidate is let in by 1 − f_t, so di_t = dc_t ⊙ (1 − f_t), not dc_t ⊙ f_t."),
        Mistake(lambda dc, c, f, i: (dc * f, dc * (c - i), dc),
                "A factor of the product rule is dropped: di_t = dc_t ⊙ (1 − f_t), the factor that multiplies i_t."),
        Mistake(lambda dc, c, f, i: (dc, dc * (c - i), dc * (1 - f)),
                "Your dc_prev is the whole error at c_t: on the way to c_(t-1) it passes through the forget gate, "
                "dc_prev = dc_t ⊙ f_t."),
        Mistake(lambda dc, c, f, i: (dc * (1 - f), dc * (c - i), dc * f),
                "f_t and 1 − f_t are swapped: c_(t-1) is kept by f_t (dc_prev = dc_t ⊙ f_t), the candidate let in by "
                "1 − f_t (di_t = dc_t ⊙ (1 − f_t))."),
        Mistake(lambda dc, c, f, i: (dc * f, dc * (c - i) * f * (1 - f), dc * (1 - f)),
                "Your df_t already includes σ' = f_t (1 − f_t): this step asks for the error at the gate's value f_t; "
                "σ' belongs to the gate's own backward step."),
    ]
    hint = "Every input and result has the same shape, (H,) or (B, H); everything is elementwise."
    names = ("dc_t", "c_prev", "f_t", "i_t")
    cases = _elementwise_cases(names, {"dc_t": (-1.5, 1.5), "c_prev": (-2, 2), "f_t": (0, 1), "i_t": (-1, 1)})
    return check("coupled_memory_backward", function, reference, cases,
                 several(("dc_prev", "df_t", "di_t"), mistakes, hint), names, hint,
                 "one sequence and batches (also of one row), the one-unit cell, float32")
