"""Chapter 8's checkers of one backward step: `check_memory_backward` (the error reaching c_t, sent back through
c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t), `check_forget_gate_backward` and `check_peephole_forget_gate_backward` (a gate
with a peephole: the product rule once more, and a new path back to c_{t-1}).

Catalogue: a derivative written for the wrong function (σ' for tanh', tanh' for σ', the function for its
derivative, σ applied twice), a factor of the product rule dropped, the error from the next step forgotten, the
weights transposed, a mean where the batch's sum belongs. Cases: one vector and batches (also of one row),
square and non-square weights, saturated values, float32.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstm_book.backward import cell_state_backward, forget_gate_backward, hidden_state_backward, linear_backward
from lstm_book.equations import sigmoid

from ..diagnoses import Mistake, several
from ..runner import Feedback, check

__all__ = ["check_memory_backward", "check_forget_gate_backward", "check_peephole_forget_gate_backward"]


def _memory_cases() -> list[dict]:
    rng = np.random.default_rng(19970815)
    cases = []
    for lead, H, scale, dtype in (((), 4, 1.5, np.float64), ((3,), 4, 1.5, np.float64), ((2,), 5, 1.5, np.float64),
                                  ((1,), 3, 1.5, np.float64), ((4,), 3, 1.5, np.float32), ((), 6, 5.0, np.float64)):
        shape = lead + (H,)
        case = {"dh_t": rng.normal(0, 1, shape), "dc_next": rng.normal(0, 1, shape),
                "c_t": rng.normal(0, scale, shape), "o_t": rng.uniform(0.05, 0.95, shape),
                "c_prev": rng.normal(0, scale, shape), "f_t": rng.uniform(0.05, 0.95, shape),
                "i_t": rng.uniform(-0.95, 0.95, shape), "j_t": rng.uniform(0.05, 0.95, shape)}
        cases.append({k: v.astype(dtype) for k, v in case.items()})
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

    def then(change):
        def compute(dh, dc_next, c, o, c_prev, f, i, j):
            dc = full(dh, dc_next, c, o)
            return change(dc, c_prev, f, i, j)
        return compute

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
        Mistake(through(lambda dh, dc_next, c, o: dh * o * np.tanh(c) * (1 - np.tanh(c)) + dc_next),
                "You used the sigmoid's derivative form, y (1 − y) with y = tanh(c_t): the derivative written for "
                "the wrong function. tanh'(c_t) = 1 − tanh²(c_t)."),
        Mistake(through(lambda dh, dc_next, c, o: dh * (1 - np.tanh(c) ** 2) + dc_next),
                "A factor of the product rule is dropped: h_t = tanh(c_t) ⊙ o_t, so the error through h_t is "
                "dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)): multiply by o_t too."),
        Mistake(through(lambda dh, dc_next, c, o: (dh + dc_next) * o * (1 - np.tanh(c) ** 2)),
                "You sent dc_next through tanh and o_t as well: dc_next arrives at c_t itself (along the memory), "
                "so it is added AFTER the path through h_t: dc_t = dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next."),
        Mistake(then(lambda dc, c_prev, f, i, j: (dc,) + cell_state_backward(dc, c_prev, f, i, j)[1:]),
                "Your dc_prev is the whole error at c_t: on the way to c_(t-1) it passes through the forget gate, "
                "dc_prev = dc_t ⊙ f_t (this is the product of forget gates of chapter 3, one factor per step)."),
        Mistake(lambda dh, dc_next, c, o, c_prev, f, i, j: cell_state_backward(full(dh, dc_next, c, o), c, f, i, j),
                "Your df_t uses c_t: the forget gate multiplies the OLD memory, so df_t = dc_t ⊙ c_(t-1)."),
        Mistake(lambda dh, dc_next, c, o, c_prev, f, i, j: cell_state_backward(full(dh, dc_next, c, o), c_prev, f, j, i),
                "di_t and dj_t are swapped: each factor of i_t ⊙ j_t gets the OTHER factor, di_t = dc_t ⊙ j_t and "
                "dj_t = dc_t ⊙ i_t."),
        Mistake(then(lambda dc, c_prev, f, i, j: (dc * f, dc * c_prev * f * (1 - f), dc * j * (1 - i**2),
                                                  dc * i * j * (1 - j))),
                "Your df_t, di_t, dj_t already include the derivatives of σ and tanh: this step asks for the error at "
                "the parts' VALUES (df_t = dc_t ⊙ c_(t-1), ...); σ' and tanh' belong to each gate's own backward step "
                "(the gates' backward steps of this chapter and of exercise 8.4)."),
        Mistake(then(lambda dc, c_prev, f, i, j: (dc * f, dc, dc, dc)),
                "A factor of the product rule is dropped: in c_(t-1) ⊙ f_t each factor receives dc_t times the OTHER "
                "factor, so df_t = dc_t ⊙ c_(t-1), di_t = dc_t ⊙ j_t, dj_t = dc_t ⊙ i_t, not dc_t alone."),
    ]
    hint = "Every input and every result has the same shape, (H,) or (B, H): the backward of an elementwise step is elementwise."
    outputs = ("dc_prev", "df_t", "di_t", "dj_t")
    cases = _memory_cases()
    return check("memory_backward", function, reference, cases, several(outputs, mistakes, hint),
                 list(cases[0]), hint, "one sequence and batches (also of one row), saturated tanh, float32")


def _gate_cases(peephole: bool) -> list[dict]:
    rng = np.random.default_rng(20000101)
    cases = []
    for D, H, B, scale, dtype in ((3, 3, None, 1.0, np.float64), (3, 3, 4, 1.0, np.float64),
                                  (2, 4, None, 1.0, np.float64), (5, 3, 2, 1.0, np.float64),
                                  (2, 3, 1, 1.0, np.float64), (4, 2, 3, 1.0, np.float32), (1, 1, None, 3.0, np.float64)):
        lead = () if B is None else (B,)
        x, h = rng.normal(0, 1, lead + (D,)), rng.uniform(-1, 1, lead + (H,))
        c, p = rng.normal(0, 1.5, lead + (H,)), rng.normal(0, 1, H)
        W_x, W_h, b = rng.normal(0, scale, (H, D)), rng.normal(0, scale, (H, H)), rng.normal(0, scale, H)
        f = sigmoid(x @ W_x.T + h @ W_h.T + b + (p * c if peephole else 0))
        case = {"df_t": rng.normal(0, 1, lead + (H,)), "f_t": f, "x_t": x, "h_prev": h}
        case.update({"c_prev": c, "W_xf": W_x, "W_hf": W_h, "p_f": p} if peephole else {"W_xf": W_x, "W_hf": W_h})
        cases.append({k: v.astype(dtype) for k, v in case.items()})
    return cases


def _gate_backward(df, f, x, h, W_x, W_h, *, dz_of=None, dh="ok", dW="sum", db="sum"):
    """The backward step of a gate, with the switches that make the classic mistakes."""
    dz = (dz_of or (lambda df_, f_: df_ * f_ * (1 - f_)))(df, f)
    dz2, x2, h2 = np.atleast_2d(dz), np.atleast_2d(x), np.atleast_2d(h)
    n = dz2.shape[0]
    grad_h = {"ok": dz @ W_h, "T": dz @ W_h.T, "Wx": dz @ W_x}[dh]
    grads = {"sum": (dz2.T @ x2, dz2.T @ h2), "T": (x2.T @ dz2, h2.T @ dz2), "mean": (dz2.T @ x2 / n, dz2.T @ h2 / n)}
    grad_b = {"sum": dz2.sum(0), "none": dz, "mean": dz2.mean(0)}[db]
    return (dz @ W_x, grad_h, *grads[dW], grad_b)


def _gate_mistakes(name: str) -> list[tuple[dict, str]]:
    """(switches of `_gate_backward`, words) for the gate `name` (f_t)."""
    return [
        ({"dz_of": lambda df, f: df * f}, f"σ' is written as σ: the derivative of the sigmoid is σ'(z) = σ(z)(1 − σ(z)), "
                                         f"which is {name} (1 − {name}) in terms of the gate's value."),
        ({"dz_of": lambda df, f: df}, f"The derivative of σ is missing: between {name} and the weights sits the "
                                     f"sigmoid, so multiply by σ'(z) = {name} (1 − {name}) first."),
        ({"dz_of": lambda df, f: df * (1 - f**2)}, f"You used tanh' = 1 − y², the derivative of tanh (written for the "
                                                  f"wrong function): the gate is a sigmoid, σ' = {name} (1 − {name})."),
        ({"dz_of": lambda df, f: df * sigmoid(f) * (1 - sigmoid(f))},
         f"You applied σ to the gate again: {name} is already σ(z), so σ'(z) = {name} (1 − {name}), not "
         f"σ({name})(1 − σ({name}))."),
        ({"dz_of": lambda df, f: df * f * (1 - f) * f}, f"One factor {name} too many: σ'(z) = {name} (1 − {name})."),
        ({"dh": "T"}, "Your dh_prev uses W_hf transposed: z = W_hf h_(t-1) sends dz back as W_hf^T dz, which for rows "
                      "is dz @ W_hf."),
        ({"dh": "Wx"}, "Your dh_prev uses the input weights W_xf: the error goes back to h_(t-1) through the weights "
                       "that met it, dh_prev = dz @ W_hf."),
        ({"dW": "T"}, "Your weight gradients are transposed: dW_xf has the shape of W_xf, (H, D): dz^T x_t, not x_t^T dz."),
        ({"dW": "mean"}, "Your weight gradients are the MEAN over the batch: each row adds its share to the shared "
                         "weights' gradient, so sum over the batch (dz^T x_t does it)."),
        ({"db": "none"}, "Your db_f has a batch axis: a bias is shared by every sequence of the batch, so its gradient "
                         "is the sum over the batch, dz.sum(axis=0)."),
        ({"db": "mean"}, "Your db_f is the MEAN over the batch: the bias's gradient is the SUM of every row's share, "
                         "dz.sum(axis=0)."),
    ]


def check_forget_gate_backward(function: Callable) -> Feedback:
    """Check a reader's ``forget_gate_backward(df_t, f_t, x_t, h_prev, W_xf, W_hf)`` that returns
    ``(dx_t, dh_prev, dW_xf, dW_hf, db_f)``."""
    mistakes = [Mistake(lambda *a, s=switches: _gate_backward(*a, **s), words)
                for switches, words in _gate_mistakes("f_t")]
    hint = ("dz = df_t ⊙ f_t ⊙ (1 − f_t) has the shape of f_t. With rows: dx_t = dz @ W_xf, dh_prev = dz @ W_hf, "
            "dW_xf = dz.T @ x_t (H, D) for a batch (summed over it), np.outer(dz, x_t) for one vector; "
            "dW_hf likewise with h_prev; db_f = dz, summed over a batch.")
    outputs = ("dx_t", "dh_prev", "dW_xf", "dW_hf", "db_f")
    cases = _gate_cases(False)
    return check("forget_gate_backward", function, forget_gate_backward, cases, several(outputs, mistakes, hint),
                 list(cases[0]), hint, "one sequence and batches (also of one row), square and non-square weights, "
                                       "float32")


def _peephole_backward(df, f, x, h, c, W_x, W_h, p, *, dc="ok", dp="ok", **switches):
    dx, dh, dW_x, dW_h, db = _gate_backward(df, f, x, h, W_x, W_h, **switches)
    dz = (switches.get("dz_of") or (lambda df_, f_: df_ * f_ * (1 - f_)))(df, f)
    grad_c = {"ok": dz * p, "none": np.zeros_like(dz), "no_p": dz, "dot": np.asarray(dz @ p)[..., None] * np.ones_like(dz),
              "c": dz * c}[dc]
    dz2, c2 = np.atleast_2d(dz), np.atleast_2d(c)
    grad_p = {"ok": (dz2 * c2).sum(0), "batch": dz * c, "no_c": dz2.sum(0), "p": (dz2 * p).sum(0),
              "mean": (dz2 * c2).mean(0)}[dp]
    return dx, dh, grad_c, dW_x, dW_h, grad_p, db


def check_peephole_forget_gate_backward(function: Callable) -> Feedback:
    """Check a reader's ``peephole_forget_gate_backward(df_t, f_t, x_t, h_prev, c_prev, W_xf, W_hf, p_f)`` that
    returns ``(dx_t, dh_prev, dc_prev, dW_xf, dW_hf, dp_f, db_f)`` for f_t = σ(W_xf x_t + W_hf h_{t-1} +
    p_f ⊙ c_{t-1} + b_f); dc_prev is this gate's share of the error reaching c_{t-1}."""
    def make(**switches):
        return lambda *a: _peephole_backward(*a, **switches)

    mistakes = [Mistake(make(**switches), words) for switches, words in _gate_mistakes("f_t")] + [
        Mistake(make(dc="none"), "Your dc_prev is zero: through the peephole, c_(t-1) is an input of the gate, so it "
                                 "receives dz ⊙ p_f (a new path back along the memory)."),
        Mistake(make(dc="no_p"), "A factor of the product rule is dropped: the gate sees p_f ⊙ c_(t-1), so c_(t-1) "
                                 "receives dz ⊙ p_f, not dz alone."),
        Mistake(make(dc="c"), "Your dc_prev is dz ⊙ c_(t-1): the derivative of p_f ⊙ c_(t-1) with respect to c_(t-1) "
                              "is p_f (each factor gets the OTHER one), so dc_prev = dz ⊙ p_f."),
        Mistake(make(dc="dot"), "p_f acts elementwise: unit k of the gate sees only unit k of the memory, so "
                                "dc_prev = dz ⊙ p_f, not a dot product."),
        Mistake(make(dp="no_c"), "A factor of the product rule is dropped: the gate sees p_f ⊙ c_(t-1), so "
                                 "dp_f = dz ⊙ c_(t-1) (summed over a batch), not dz alone."),
        Mistake(make(dp="p"), "Your dp_f is dz ⊙ p_f: the derivative of p_f ⊙ c_(t-1) with respect to p_f is "
                              "c_(t-1), so dp_f = dz ⊙ c_(t-1) (summed over a batch)."),
        Mistake(make(dp="batch"), "Your dp_f has a batch axis: p_f is shared by every sequence of the batch, so its "
                                  "gradient is the sum over the batch, (dz * c_prev).sum(axis=0)."),
        Mistake(make(dp="mean"), "Your dp_f is the MEAN over the batch: p_f's gradient is the SUM of every row's "
                                 "share, (dz * c_prev).sum(axis=0)."),
    ]
    hint = ("dz = df_t ⊙ f_t ⊙ (1 − f_t). With rows: dx_t = dz @ W_xf, dh_prev = dz @ W_hf, dc_prev = dz ⊙ p_f; "
            "dW_xf = dz^T x_t, dW_hf = dz^T h_prev, dp_f = Σ over the batch of dz ⊙ c_prev, db_f = Σ of dz.")
    outputs = ("dx_t", "dh_prev", "dc_prev", "dW_xf", "dW_hf", "dp_f", "db_f")
    cases = _gate_cases(True)
    return check("peephole_forget_gate_backward", function, _peephole_backward, cases,
                 several(outputs, mistakes, hint), list(cases[0]), hint,
                 "one sequence and batches (also of one row), square and non-square weights, float32")
