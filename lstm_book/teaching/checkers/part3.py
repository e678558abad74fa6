"""Checkers for the exercises of Part III (chapters 10 and 11): the losses, Adam's step, and the equations the
variants change. Each runs the reader's function on several cases with the runner shared by every checker (its
protections included: copies of the inputs, changed inputs named, a time limit, the parameter list read first,
any return value or exception explained), compares with `lstm_book`, and on a mismatch recognises the mistakes
people make (the mask forgotten, no bias correction, z and 1 - z swapped, ...).
"""

from __future__ import annotations

import numpy as np

from lstm_book.equations import sigmoid, tanh
from lstm_book.adam import Adam
from lstm_book.losses import cross_entropy, squared_error

from .diagnoses import Mistake, several, single
from .runner import Feedback, check, no_batches

__all__ = ["check_cross_entropy", "check_squared_error", "check_adam_step", "check_coupled_cell_state",
           "check_gru_hidden_state", "check_peephole_forget_gate"]


def _loss_cases(kind: str) -> list[dict]:
    """Three seeded cases (T, B, K) = (1, 1, 3), (4, 2, 3), (6, 3, 2), named as the loss's arguments."""
    rng = np.random.default_rng(20011120)
    names = ("logits", "labels", "mask") if kind == "cross_entropy" else ("outputs", "targets", "mask")
    cases = []
    for T, B, K in ((1, 1, 3), (4, 2, 3), (6, 3, 2)):
        mask = rng.random((T, B)) < 0.6
        mask[-1] = True                                           # at least the last step is scored
        if kind == "cross_entropy":
            target = rng.integers(0, K, size=(T, B))
        else:
            target = rng.normal(size=(T, B, K))
        cases.append(dict(zip(names, (rng.normal(0, 2.0, (T, B, K)), target, mask))))
    return cases


_LOSS_HINT = ("outputs has shape (T, B, K) and mask (T, B); return (loss, gradient) with the gradient shaped "
              "like outputs. Use mask[..., None] to apply the mask to the K outputs of a step.")


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def check_cross_entropy(function) -> Feedback:
    """Check a reader's ``cross_entropy(logits, labels, mask)`` -> (loss, dlogits)."""
    def one_hot(y, K):
        return np.eye(K)[y]

    def no_mask(z, y, m):
        return cross_entropy(z, y, np.ones_like(m))

    def summed(z, y, m):
        loss, grad = cross_entropy(z, y, m)
        return loss * m.sum(), grad * m.sum()

    def p_only(z, y, m):
        loss, _ = cross_entropy(z, y, m)
        return loss, _softmax(z) * m[..., None] / m.sum()

    def not_averaged(z, y, m):
        loss, grad = cross_entropy(z, y, m)
        return loss, grad * m.sum()

    def sign(z, y, m):
        loss, grad = cross_entropy(z, y, m)
        return loss, -grad

    def unmasked_gradient(z, y, m):
        loss, _ = cross_entropy(z, y, m)
        return loss, (_softmax(z) - one_hot(y, z.shape[-1])) / m.sum()

    mistakes = [
        Mistake(no_mask, "You averaged over every step: only the steps where mask is True are scored. Take the mean "
                         "over those (divide by mask.sum()) and give the other steps a gradient of 0."),
        Mistake(summed, "Your loss is the sum over the scored steps; the book's loss is their mean (divide by "
                        "mask.sum(), and the gradient too)."),
        Mistake(p_only, "Your gradient is softmax(logits) alone: the derivative of -log p[label] is p - one_hot(label). "
                        "Subtract 1 at the label."),
        Mistake(not_averaged, "Your loss is right but the gradient is not divided by the number of scored steps: "
                              "the loss is a mean, so each step's error p - one_hot counts 1 / mask.sum()."),
        Mistake(sign, "Your gradient has the wrong sign: d(-log p_label)/d logit = p - one_hot(label), positive for "
                      "the wrong classes."),
        Mistake(unmasked_gradient, "Your loss is right but the unscored steps get a gradient: multiply by the mask."),
    ]
    big = {"logits": np.array([[[800.0, 0.0, -5.0]]]), "labels": np.array([[0]]), "mask": np.array([[True]])}
    diagnose = several(("loss", "gradient"), mistakes, _LOSS_HINT)

    def overflow_first(got, expected, case):
        if case is big and isinstance(got, (tuple, list)) and got:
            try:
                finite = bool(np.all(np.isfinite(np.asarray(got[0], dtype=float))))
            except Exception:  # not a number: the diagnosis explains it
                finite = True
            if not finite:
                return ("With large logits (800) your loss is not finite: e^800 overflows. Subtract the largest "
                        "logit of each step before exponentiating: softmax does not change.")
        return diagnose(got, expected, case)

    # the large logits first, as before: an overflow is said before anything else
    return check("cross_entropy", function, cross_entropy, [big] + _loss_cases("cross_entropy"), overflow_first,
                 list(big), _LOSS_HINT, "", batched=no_batches)


def check_squared_error(function) -> Feedback:
    """Check a reader's ``squared_error(outputs, targets, mask)`` -> (loss, doutputs)."""
    def no_mask(y, t, m):
        return squared_error(y, t, np.ones_like(m))

    def no_two(y, t, m):
        loss, grad = squared_error(y, t, m)
        return loss, grad / 2

    def sign(y, t, m):
        loss, grad = squared_error(y, t, m)
        return loss, -grad

    def half(y, t, m):
        loss, grad = squared_error(y, t, m)
        return loss / 2, grad / 2

    def per_output(y, t, m):
        loss, grad = squared_error(y, t, m)
        return loss / y.shape[-1], grad / y.shape[-1]

    mistakes = [
        Mistake(no_mask, "You averaged over every step: only the steps where mask is True are scored."),
        Mistake(no_two, "The derivative of (y - t)² is 2 (y - t): your gradient is missing the 2."),
        Mistake(sign, "Your gradient has the wrong sign: it is 2 (y - t) / n, positive where the output is too big."),
        Mistake(half, "You used ½ (y - t)²; the book's squared error has no ½ (its gradient is 2 (y - t) / n)."),
        Mistake(per_output, "You averaged over the K outputs too: the loss sums over the outputs of a step and "
                            "averages over the scored steps."),
    ]
    cases = _loss_cases("squared_error")
    return check("squared_error", function, squared_error, cases, several(("loss", "gradient"), mistakes, _LOSS_HINT),
                 list(cases[0]), _LOSS_HINT, "", batched=no_batches)


def _adam_reference(theta, g, m, v, t, learning_rate):
    adam = Adam(learning_rate)
    adam.t, adam.m, adam.v = t - 1, {"w": m}, {"w": v}
    new = adam.step({"w": theta}, {"w": g})
    return new["w"], adam.m["w"], adam.v["w"]


def _adam_cases() -> list[dict]:
    rng = np.random.default_rng(2015)
    cases = [{"theta": np.array([1.0]), "g": np.array([2.0]), "m": np.zeros(1), "v": np.zeros(1), "t": 1,
              "learning_rate": 0.1}]
    for t, shape in ((2, (3,)), (7, (2, 3)), (50, (4,))):
        cases.append({"theta": rng.normal(size=shape), "g": rng.normal(size=shape),
                      "m": rng.normal(0, 0.1, shape), "v": rng.uniform(0.01, 0.2, shape), "t": t,
                      "learning_rate": 0.01})
    return cases


def check_adam_step(function) -> Feedback:
    """Check a reader's ``adam_step(theta, g, m, v, t, learning_rate)`` -> (theta, m, v), with β1 = 0.9,
    β2 = 0.999, ε = 1e-8; t is the number of this step, 1 for the first."""
    b1, b2, eps = 0.9, 0.999, 1e-8

    def variant(correct=True, sqrt=True, use_m=True, swap=False, t_shift=0):
        def step(theta, g, m, v, t, lr):
            m = (1 - b1) * m + b1 * g if swap else b1 * m + (1 - b1) * g
            v = (1 - b2) * v + b2 * g ** 2 if swap else b2 * v + (1 - b2) * g ** 2
            tt = t + t_shift
            m_hat = m / (1 - b1 ** tt) if correct else m
            v_hat = v / (1 - b2 ** tt) if correct else v
            direction = m_hat if use_m else g
            return theta - lr * direction / ((np.sqrt(v_hat) if sqrt else v_hat) + eps), m, v
        return step

    mistakes = [
        Mistake(variant(correct=False), "No bias correction: m and v start at 0, so early on they are too small. "
                                        "Divide by 1 - β1^t and 1 - β2^t before the step."),
        Mistake(variant(sqrt=False), "You divided by v̂ instead of √v̂: v is a running mean of g², so its square "
                                     "root has the size of g."),
        Mistake(variant(use_m=False), "Your step uses the current gradient g; Adam steps along m̂, the bias-corrected "
                                      "running mean of the gradients (and still updates m)."),
        Mistake(variant(swap=True), "The running means have their weights swapped: m ← β1 m + (1 - β1) g keeps 90% "
                                    "of the old mean and adds 10% of the new gradient."),
        Mistake(variant(t_shift=-1), "The bias correction uses t - 1: the first step is t = 1, so it divides by "
                                     "1 - β1¹ = 0.1 (and at t = 0 it would divide by zero)."),
    ]
    hint = "theta, g, m and v all have the same shape; every operation is elementwise."
    return check("adam_step", function, _adam_reference, _adam_cases(), several(("theta", "m", "v"), mistakes, hint),
                 list(_adam_cases()[0]), hint, "", batched=no_batches)


_ELEMENTWISE_HINT = "All three inputs and the result have the same shape; every operation is elementwise."


def _elementwise_cases(names, ranges) -> list[dict]:
    rng = np.random.default_rng(2017)
    return [{n: rng.uniform(*ranges[n], lead + (H,)) for n in names} for lead, H in (((), 3), ((2,), 3), ((4,), 5))]


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
    ]
    names = ("c_prev", "f_t", "i_t")
    return check("coupled_cell_state", function, reference,
                 _elementwise_cases(names, {"c_prev": (-2, 2), "f_t": (0, 1), "i_t": (-1, 1)}),
                 single("c_t", mistakes, _ELEMENTWISE_HINT), names, _ELEMENTWISE_HINT, "")


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
    ]
    names = ("h_prev", "z_t", "n_t")
    return check("gru_hidden_state", function, reference,
                 _elementwise_cases(names, {"h_prev": (-1, 1), "z_t": (0, 1), "n_t": (-1, 1)}),
                 single("h_t", mistakes, _ELEMENTWISE_HINT), names, _ELEMENTWISE_HINT, "")


def _peephole_cases() -> list[dict]:
    rng = np.random.default_rng(2000)
    cases = []
    for D, H, B in ((3, 3, None), (3, 3, 2), (2, 4, 3)):
        lead = () if B is None else (B,)
        cases.append({"x_t": rng.normal(size=lead + (D,)), "h_prev": rng.uniform(-1, 1, lead + (H,)),
                      "c_prev": rng.normal(0, 1.5, lead + (H,)), "W_xf": rng.normal(size=(H, D)),
                      "W_hf": rng.normal(size=(H, H)), "p_f": rng.normal(size=H), "b_f": rng.normal(size=H)})
    return cases


def check_peephole_forget_gate(function) -> Feedback:
    """Check a reader's ``peephole_forget_gate(x_t, h_prev, c_prev, W_xf, W_hf, p_f, b_f)``:
    f_t = σ(W_xf x_t + W_hf h_{t-1} + p_f ⊙ c_{t-1} + b_f)."""
    def reference(x, h, c, Wx, Wh, p, b):
        return sigmoid(x @ Wx.T + h @ Wh.T + p * c + b)

    mistakes = [
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + b),
                "The peephole term is missing: the gate also sees the cell state, through p_f ⊙ c_(t-1)."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p @ c + b)
                if np.ndim(c) == 1 else sigmoid(x @ Wx.T + h @ Wh.T + (c @ p)[:, None] + b),
                "p_f is a vector of one weight per unit and acts elementwise: p_f ⊙ c_(t-1), not a dot product. "
                "Unit k of the gate peeks at unit k of the memory only."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: tanh(x @ Wx.T + h @ Wh.T + p * c + b),
                "Values outside (0, 1): a gate uses σ, not tanh."),
        Mistake(lambda x, h, c, Wx, Wh, p, b: sigmoid(x @ Wx.T + h @ Wh.T + p * np.tanh(c) + b),
                "The peephole sees the cell state itself, c_(t-1), not tanh(c_(t-1)) (which is what h shows)."),
    ]
    hint = "W_xf (H, D) meets x_t, W_hf (H, H) meets h_prev, and p_f (H,) multiplies c_prev elementwise."
    cases = _peephole_cases()
    return check("peephole_forget_gate", function, reference, cases, single("f_t", mistakes, hint), list(cases[0]),
                 hint, "")
