"""Part III's checkers of what the reader predicts before running the code: the cross-entropy of a network
whose logits are all equal (exercise 10.1), Adam's step after t steps of a constant gradient (10.2), and the
hidden size a variant needs to have as many parameters as the LSTM (11.4).

Cases vary every input the exercise allows (shapes, classes, masks with unscored steps and sequences; gradients
from 1e-10 to 1e3, zeros among them, steps 1 to 1000, float32; variants, input and hidden sizes). The package is
the reference (`cross_entropy`, `Adam`, `init_variant`); the catalogues reuse chapter 10's (the mask's and the
count's mistakes, Adam's switches) and name each mistake; a mistake whose own result is NaN is still named.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_book.adam import Adam
from lstm_book.losses import cross_entropy
from lstm_book.variants import VARIANTS, init_variant

from ..diagnoses import Mistake, as_floats, several, single
from ..runner import Feedback, check, no_batches
from .adam import _adam
from .losses import _ce_mistakes, _mask

__all__ = ["check_uniform_cross_entropy", "check_constant_gradient_step", "check_matching_size"]


# ------------------------------------------------------------------ exercise 10.1: every logit equal

def _uniform(labels, mask, num_classes):
    return cross_entropy(np.zeros(np.shape(labels) + (int(num_classes),)), labels, mask)


def check_uniform_cross_entropy(function) -> Feedback:
    """Check a reader's ``uniform_cross_entropy(labels, mask, num_classes)`` -> (loss, dlogits): the book's mean
    cross-entropy over the scored steps, and its gradient, when every logit is equal (an untrained readout)."""
    def at_zero(mistake):
        return lambda y, m, K: mistake(np.zeros(np.shape(y) + (int(K),)), y, m)

    def bits(y, m, K):
        loss, d = _uniform(y, m, K)
        return loss / math.log(2), d

    def only_one_hot(y, m, K):
        return _uniform(y, m, K)[0], -np.eye(int(K))[y] * m[..., None] / m.sum()

    mistakes = [Mistake(at_zero(mk.compute), mk.message) for mk in _ce_mistakes()] + [
        Mistake(bits, "Your loss is in bits (log2 K): the book's cross-entropy uses the natural logarithm, "
                      "ln K nats when all K classes are equally likely."),
        Mistake(lambda y, m, K: (-_uniform(y, m, K)[0], _uniform(y, m, K)[1]),
                "Your loss is negative: log(1/K) < 0, and the loss is −log p, so ln K > 0."),
        Mistake(only_one_hot, "Your gradient is −one_hot alone: p − one_hot, and p = 1/K for every class when the "
                              "logits are equal, so the wrong classes get +1/K (divided by the number of scored steps)."),
    ]
    rng = np.random.default_rng(1997)
    cases = []
    for T, B, K, every in ((4, 2, 3, False), (1, 1, 3, True), (3, 4, 27, False), (5, 3, 2, True), (2, 5, 10, False)):
        cases.append({"labels": rng.integers(0, K, (T, B)), "mask": _mask(rng, T, B, every), "num_classes": K})
    hint = ("Return (loss, dlogits), dlogits of shape (T, B, num_classes): with equal logits p = 1/K for every "
            "class; divide by the number of scored steps, mask.sum().")
    return check("uniform_cross_entropy", function, _uniform, cases, several(("loss", "dlogits"), mistakes, hint),
                 ["labels", "mask", "num_classes"], hint, "2 to 27 classes, masks with unscored steps and sequences",
                 batched=no_batches)


# ------------------------------------------------------------------ exercise 10.2: a constant gradient

def _constant(g, learning_rate, t):
    """The change of θ made by step t of the package's Adam when the gradient is g at every step."""
    adam, params = Adam(learning_rate), {"w": np.zeros_like(np.asarray(g, dtype=float))}
    before = params["w"]
    for _ in range(int(t)):
        before, params = params["w"], adam.step(params, {"w": np.asarray(g, dtype=float)})
    return params["w"] - before


def _constant_mistake(g, learning_rate, t, **switches):
    g = np.asarray(g, dtype=float)
    theta = m = v = np.zeros_like(g)
    before = theta
    with np.errstate(all="ignore"):
        for step in range(1, int(t) + 1):
            before = theta
            theta, m, v = _adam(theta, g, m, v, step, learning_rate, **switches)
    return theta - before


#: ε missing, added after the division, or the step taken as −η sign(g): the same numbers wherever g ≠ 0
_EPS_PLACE = ("Your change ignores ε, or adds it after the division (−learning_rate · sign(g) is the same): ε belongs "
              "in the denominator, −learning_rate · g / (|g| + ε), which is 0 (not 0/0) for a zero gradient and about "
              "half the learning rate where |g| is near ε = 1e-8.")


def check_constant_gradient_step(function) -> Feedback:
    """Check a reader's ``constant_gradient_step(g, learning_rate, t)`` -> the change of θ made by Adam's step t
    (β1 = 0.9, β2 = 0.999, ε = 1e-8, from m = v = 0) when the gradient is g at every step."""
    def make(**switches):
        return lambda g, lr, t: _constant_mistake(g, lr, t, **switches)

    mistakes = [
        Mistake(make(correct="none"), "Without the bias correction the early steps are too small and depend on t: "
                                      "m_t = (1 − 0.9^t) g and v_t = (1 − 0.999^t) g², so m̂_t = g and v̂_t = g² exactly."),
        Mistake(make(correct="m"), "Only m is bias-corrected: v_t = (1 − 0.999^t) g² also needs its correction, "
                                   "v̂_t = g²."),
        Mistake(make(correct="v"), "Only v is bias-corrected: m_t = (1 − 0.9^t) g also needs its correction, m̂_t = g."),
        *[Mistake(make(t_shift=k), f"The bias correction is off by one step (t {'+' if k > 0 else '−'} 1): with "
                                   f"the correction of step t itself, m̂_t = g and v̂_t = g² at every step.")
          for k in (1, -1)],
        Mistake(make(eps="none"), _EPS_PLACE),
        Mistake(make(eps="inside"), "ε is inside the square root: the step is g / (√(g²) + ε) = g / (|g| + ε), "
                                    "with ε outside."),
        Mistake(make(eps="outside"), _EPS_PLACE),
        Mistake(make(square=False), "Your v is a running mean of g, not of g²: then v̂ = g, and √g has not the size of "
                                    "g (and is not a number for g < 0)."),
        Mistake(make(sign=1.0), "Your step goes uphill: the change is −learning_rate · g / (|g| + ε)."),
        Mistake(make(use_lr=False), "The learning rate is missing: the change is −learning_rate · g / (|g| + ε)."),
        Mistake(lambda g, lr, t: -lr * np.asarray(g, dtype=float),
                "That is plain gradient descent, −learning_rate · g: Adam divides by √v̂, so the change is "
                "−learning_rate · g / (|g| + ε), about the learning rate whatever the size of g."),
        Mistake(lambda g, lr, t: -lr * np.sign(np.asarray(g, dtype=float)), _EPS_PLACE),
    ]
    rng = np.random.default_rng(2014)
    cases = [{"g": np.array([0.5, -2.0]), "learning_rate": 0.1, "t": 1}]    # the chapter's hand-worked step, and one more
    for shape, scale, lr, t, dtype in (((3,), 1.0, 0.01, 2, np.float64), ((4,), 1e-8, 0.01, 10, np.float64),
                                       ((2, 3), 1e3, 1e-3, 1000, np.float64), ((5,), 1.0, 0.05, 7, np.float32),
                                       ((3,), 1e-10, 0.1, 3, np.float64)):
        cases.append({"g": rng.normal(0, scale, shape).astype(dtype), "learning_rate": lr, "t": t})
    cases.append({"g": np.array([0.0, -2.0, 1e-8]), "learning_rate": 0.1, "t": 4})
    hint = "Return an array like g: the change θ_t − θ_(t−1) made by step t (negative where g is positive)."
    return check("constant_gradient_step", function, _constant, cases, single("the change of θ", mistakes, hint),
                 ["g", "learning_rate", "t"], hint, "gradients from 1e-10 to 1e3 and zero, steps 1 to 1000, float32",
                 batched=no_batches)


# ------------------------------------------------------------------ exercise 11.4: as many parameters

def _count(variant, D, H):
    return sum(a.size for a in init_variant(variant, int(D), int(H)).values())


def _smallest_size(variant, D, H, *, count=None, enough=None):
    count = count or (lambda h: _count(variant, D, h))
    target = _count("lstm", D, H) if enough is None else enough
    size = 1
    while count(size) < target:
        size += 1
    return np.float64(size)


def check_matching_size(function) -> Feedback:
    """Check a reader's ``matching_size(variant, D, H)`` -> the smallest hidden size for which `variant` has at least
    as many parameters as the LSTM with H units, both with D inputs."""
    def parts(variant):
        return len(VARIANTS[variant].parts)

    def without(term):
        def size(variant, D, H):
            def count(h, k=parts(variant)):
                return k * (h * D * (term != "x") + h * h * (term != "h") + h * (term != "b"))
            return _smallest_size(variant, D, H, count=count, enough=4 * (H * D * (term != "x") + H * H * (term != "h")
                                                                      + H * (term != "b")))
        return size

    mistakes = [
        Mistake(without("b"), "You left out the biases: each part has H·D input weights, H·H recurrent weights and H "
                              "biases."),
        Mistake(lambda v, D, H: _smallest_size(v, D, H) - 1 if _count(v, D, int(_smallest_size(v, D, H))) > _count("lstm", D, H)
                else None,
                "That size has fewer parameters than the LSTM: the question asks for at least as many, the smallest "
                "size at or above the LSTM's count."),
        Mistake(lambda v, D, H: _smallest_size(v, D, H) + 1 if _count(v, D, int(_smallest_size(v, D, H))) == _count("lstm", D, H)
                else None,
                "At that size one fewer unit already has exactly as many parameters as the LSTM: the question asks for "
                "at least as many (≥), not more."),
        Mistake(without("h"), "Your size grows in proportion to H (4 / number of parts, or a count without the "
                              "recurrent weights): each part also has H·H recurrent weights, which grow with H², so "
                              "fewer units suffice. Count H·D + H·H + H per part and search the smallest size."),
        Mistake(lambda v, D, H: np.float64(_count(v, D, int(_smallest_size(v, D, H)))),
                "That is a number of parameters: return the hidden size itself."),
    ]
    cases = [{"variant": v, "D": D, "H": H} for v, D, H in (("gru", 3, 8), ("coupled", 3, 8), ("gru", 1, 6),
                                                           ("no_output", 10, 4), ("gru", 2, 64), ("peepholes", 3, 8),
                                                           ("gru", 4, 30), ("no_forget", 50, 20), ("coupled", 11, 4),
                                                           ("gru", 1, 1))]
    hint = "Return one whole number, the hidden size: the smallest H' whose count is at least the LSTM's."
    return check("matching_size", function, _smallest_size, cases, as_floats(single("the size", mistakes, hint)),
                 ["variant", "D", "H"], hint, "the GRU, the coupled cell, cells without a gate and with peepholes, "
                                              "1 to 50 inputs, 1 to 64 units", batched=no_batches)
