"""Chapter 10's checkers of the losses: `check_cross_entropy`, `check_squared_error` and
`check_temperature_gradient` (the cross-entropy's gradient with respect to a softmax temperature).

Cases vary what the mistakes depend on: shapes, logits from 1e-3 to 800 (the largest on the right class, and a
right class 800 below the largest, where log(softmax) underflows), masks that score every step, a step where no
sequence is scored and a sequence never scored, float32; temperatures from 0.01 to 25.
Catalogue: the mask ignored or inverted, a mean over the wrong count, a sum for the mean, the gradient without
the one-hot, unaveraged, unmasked or of the wrong sign, exp overflowing, log(softmax) underflowing, log(p + ε)
capped; for the temperature, the chain rule's factor dropped, its sign, one τ short, p at the wrong temperature.
"""

from __future__ import annotations

import numpy as np

from lstm_book.losses import cross_entropy, squared_error

from ..diagnoses import Mistake, several
from ..runner import Feedback, check, no_batches

__all__ = ["check_cross_entropy", "check_squared_error", "check_temperature_gradient"]


def _mask(rng, T, B, every=False):
    """A mask with at least one scored step; unless `every`, a step where no sequence is scored and (B > 1) a
    sequence never scored."""
    if every:
        return np.ones((T, B), bool)
    mask = rng.random((T, B)) < 0.6
    mask[-1, 0] = True
    if T > 1:
        mask[0] = False
    if B > 1:
        mask[:, -1] = False
    return mask


def _loss_cases(kind: str) -> list[dict]:
    """Seeded cases (T, B, K) of several sizes and magnitudes, float32 among them."""
    rng = np.random.default_rng(20011120)
    names = ("logits", "labels", "mask") if kind == "cross_entropy" else ("outputs", "targets", "mask")
    cases = []
    for T, B, K, scale, every, dtype in ((1, 1, 3, 2.0, True, np.float64), (4, 2, 3, 2.0, False, np.float64),
                                         (6, 3, 2, 1e-3, False, np.float64), (3, 4, 5, 2.0, True, np.float64),
                                         (5, 2, 4, 30.0, False, np.float32)):
        mask = _mask(rng, T, B, every)
        target = rng.integers(0, K, size=(T, B)) if kind == "cross_entropy" else rng.normal(0, scale, (T, B, K)).astype(dtype)
        cases.append(dict(zip(names, (rng.normal(0, scale, (T, B, K)).astype(dtype), target, mask))))
    return cases


def _large_cases() -> list[dict]:
    """The largest logit on the right class; the right class 800 below the largest (log(softmax) underflows
    there); a large logit at a later step, on a wrong class, in a batch."""
    later = np.random.default_rng(3).normal(0, 2, (3, 2, 4))
    later[1, 1] = [600.0, -200.0, 0.0, 5.0]
    return [{"logits": np.array([[[800.0, 0.0, -5.0]]]), "labels": np.array([[0]]), "mask": np.array([[True]])},
            {"logits": np.array([[[0.0, 0.0, -800.0]], [[3.0, 1.0, 2.0]]]), "labels": np.array([[2], [0]]),
             "mask": np.array([[True], [True]])},
            {"logits": later, "labels": np.array([[0, 1], [2, 1], [3, 0]]), "mask": np.array([[True, False],
                                                                                              [False, True],
                                                                                              [True, True]])}]


def _ce(z, y, m, *, weights=None, n=None, log="ok", grad="ok", eps=0.0):
    """The mean cross-entropy and its gradient, with the switches of the classic mistakes."""
    w = (m if weights is None else weights).astype(float)
    n = w.sum() if n is None else n
    if log == "unshifted":
        p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        log_p = np.log(p)
    else:
        s = z - z.max(-1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(-1, keepdims=True))
        p = np.exp(log_p)
        if log in ("underflow", "eps"):
            log_p = np.log(p + eps)
    picked = np.take_along_axis(log_p, y[..., None], -1)[..., 0]
    loss = -np.sum(picked * w) / n
    one_hot = np.eye(z.shape[-1])[y]
    d = {"ok": (p - one_hot) * w[..., None] / n, "p": p * w[..., None] / n, "sum": (p - one_hot) * w[..., None],
         "sign": -(p - one_hot) * w[..., None] / n, "unmasked": (p - one_hot) / n}[grad]
    return loss, d


def _count_mistakes(what: str, compute) -> list[Mistake]:
    """The mask ignored or inverted, and a mean over the wrong count, for a loss `compute(z, y, m, weights=, n=)`."""
    return [
        Mistake(lambda z, y, m: compute(z, y, m, weights=np.ones_like(m)),
                "You averaged over every step: only the steps where mask is True are scored. Take the mean over those "
                "(divide by mask.sum()) and give the other steps a gradient of 0."),
        Mistake(lambda z, y, m: compute(z, y, m, weights=~m),
                "Your mask is inverted: you scored the steps where mask is False. mask is True where a step is scored."),
        Mistake(lambda z, y, m: compute(z, y, m, n=m.size),
                f"A mean over the wrong count: you divided by all T·B steps, scored or not. The {what} is the mean over "
                f"the SCORED steps: divide by mask.sum()."),
        Mistake(lambda z, y, m: compute(z, y, m, n=m.shape[1]),
                f"A mean over the wrong count: you divided by the batch size B. The {what} is the mean over the scored "
                f"steps: divide by mask.sum()."),
        Mistake(lambda z, y, m: compute(z, y, m, n=m.shape[0]),
                f"A mean over the wrong count: you divided by the number of steps T. The {what} is the mean over the "
                f"scored steps: divide by mask.sum()."),
        Mistake(lambda z, y, m: compute(z, y, m, n=1.0),
                f"Your {what} is the sum over the scored steps; the book's is their mean (divide by mask.sum(), the "
                f"gradient too)."),
    ]


def _ce_mistakes(compute=None) -> list[Mistake]:
    compute = compute or _ce
    return _count_mistakes("loss", compute) + [
        Mistake(lambda z, y, m: compute(z, y, m, grad="p"),
                "Your gradient is softmax(logits) alone: the derivative of -log p[label] is p - one_hot(label). "
                "Subtract 1 at the label."),
        Mistake(lambda z, y, m: compute(z, y, m, grad="sum"),
                "Your loss is right but the gradient is not divided by the number of scored steps: the loss is a "
                "mean, so each step's error p - one_hot counts 1 / mask.sum()."),
        *[Mistake(lambda z, y, m, count=count: (compute(z, y, m)[0], compute(z, y, m, n=count(m))[1]),
                  f"Your loss is right but the gradient is divided by {words}: the loss is the mean over the scored "
                  f"steps, so the gradient is divided by mask.sum() too.")
          for count, words in ((lambda m: m.size, "all T·B steps"), (lambda m: m.shape[1], "the batch size B"))],
        Mistake(lambda z, y, m: compute(z, y, m, grad="sign"),
                "Your gradient has the wrong sign: d(-log p_label)/d logit = p - one_hot(label), positive for the "
                "wrong classes."),
        Mistake(lambda z, y, m: compute(z, y, m, grad="unmasked"),
                "Your loss is right but the unscored steps get a gradient: multiply by the mask."),
        Mistake(lambda z, y, m: compute(z, y, m, log="underflow"),
                "Your loss is infinite when the right class is far below the largest logit: softmax rounds its "
                "probability to 0 and log(0) = -inf. Take the log-softmax as z - max - log Σ e^(z - max), never the log "
                "of a probability."),
        Mistake(lambda z, y, m: compute(z, y, m, log="unshifted"),
                "With large logits (800) your result is not finite: e^800 overflows. Subtract the largest logit of "
                "each step before exponentiating: softmax does not change."),
        *[Mistake(lambda z, y, m, eps=eps: compute(z, y, m, log="eps", eps=eps),
                  f"You took log(p + {eps:g}): that caps the loss at -log({eps:g}) = {-np.log(eps):.1f} where the right "
                  f"class is far below the largest logit. Take the log-softmax, z - max - log Σ e^(z - max), which "
                  f"needs no ε.") for eps in (1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-20)],
    ]


_LOSS_HINT = ("outputs has shape (T, B, K) and mask (T, B); return (loss, gradient) with the gradient shaped "
              "like outputs. Use mask[..., None] to apply the mask to the K outputs of a step.")
_COVERED = ("logits from 1e-3 to 800 (also a right class 800 below the largest), masks with unscored steps and "
            "sequences, float32")


def check_cross_entropy(function) -> Feedback:
    """Check a reader's ``cross_entropy(logits, labels, mask)`` -> (loss, dlogits)."""
    cases = _large_cases() + _loss_cases("cross_entropy")
    return check("cross_entropy", function, cross_entropy, cases, several(("loss", "gradient"), _ce_mistakes(), _LOSS_HINT),
                 list(cases[0]), _LOSS_HINT, _COVERED, batched=no_batches)


def _se(y, t, m, *, weights=None, n=None, grad=2.0, loss_scale=1.0, sign=1.0, masked_grad=True, mean_k=False):
    w = (m if weights is None else weights).astype(float)[..., None]
    n = w.sum() if n is None else n
    k = y.shape[-1] if mean_k else 1.0
    error = (y - t) * w
    return loss_scale * np.sum(error**2) / n / k, sign * grad * ((y - t) if not masked_grad else error) / n / k


def check_squared_error(function) -> Feedback:
    """Check a reader's ``squared_error(outputs, targets, mask)`` -> (loss, doutputs)."""
    mistakes = _count_mistakes("loss", _se) + [
        Mistake(lambda y, t, m: _se(y, t, m, n=m.size * y.shape[-1]),
                "A mean over the wrong count: you divided by every number of outputs (np.mean over T·B·K). The loss "
                "sums the K outputs of a step and averages over the scored steps: divide by mask.sum()."),
        Mistake(lambda y, t, m: _se(y, t, m, grad=1.0), "The derivative of (y - t)² is 2 (y - t): your gradient is "
                                                        "missing the 2."),
        Mistake(lambda y, t, m: _se(y, t, m, sign=-1.0), "Your gradient has the wrong sign: it is 2 (y - t) / n, "
                                                         "positive where the output is too big."),
        Mistake(lambda y, t, m: _se(y, t, m, grad=1.0, loss_scale=0.5),
                "You used ½ (y - t)²; the book's squared error has no ½ (its gradient is 2 (y - t) / n)."),
        Mistake(lambda y, t, m: _se(y, t, m, mean_k=True), "You averaged over the K outputs too: the loss sums over "
                                                           "the outputs of a step and averages over the scored steps."),
        Mistake(lambda y, t, m: _se(y, t, m, masked_grad=False), "Your loss is right but the unscored steps get a "
                                                                 "gradient: multiply by the mask."),
        Mistake(lambda y, t, m: (_se(y, t, m)[0], _se(y, t, m)[1] * m.sum()),
                "Your loss is right but the gradient is not divided by the number of scored steps, mask.sum()."),
    ]
    cases = _loss_cases("squared_error")
    return check("squared_error", function, squared_error, cases, several(("loss", "gradient"), mistakes, _LOSS_HINT),
                 list(cases[0]), _LOSS_HINT, "outputs from 1e-3 to 30, masks with unscored steps and sequences, "
                                             "float32", batched=no_batches)


# ------------------------------------------------------------------ the temperature

def _temperature(z, y, m, tau, *, dtau="ok", p_at_one=False, loss_at_one=False, **ce):
    loss, ds = _ce(z / tau, y, m, **ce)
    if loss_at_one:
        loss = _ce(z, y, m, **ce)[0]
    if p_at_one:
        ds = _ce(z, y, m, **ce)[1]
    total = np.sum(ds * z)
    return loss, {"ok": -total / tau**2, "no_chain": total, "sign": total / tau**2, "one_tau": -total / tau,
                  "tau": -np.sum(ds) / tau**2}[dtau]


def _temperature_cases() -> list[dict]:
    rng = np.random.default_rng(1985)
    cases = []
    # τ = 1 last: there the chain rule's factor −z/τ² and z/τ² differ only in sign, and −z/τ equals it
    for T, B, K, scale, tau, every, dtype in ((4, 2, 3, 2.0, 0.5, False, np.float64), (1, 1, 3, 2.0, 1.5, True, np.float64),
                                              (3, 3, 4, 1.0, 2.0, False, np.float64), (2, 2, 5, 8.0, 0.01, True, np.float64),
                                              (5, 2, 3, 3.0, 25.0, False, np.float64), (4, 3, 4, 2.0, 0.7, False, np.float32),
                                              (2, 2, 3, 2.0, 1.0, False, np.float64)):
        cases.append({"logits": rng.normal(0, scale, (T, B, K)).astype(dtype), "labels": rng.integers(0, K, (T, B)),
                      "mask": _mask(rng, T, B, every), "tau": tau})
    return cases


def check_temperature_gradient(function) -> Feedback:
    """Check a reader's ``temperature_gradient(logits, labels, mask, tau)`` -> (loss, dtau): the mean cross-entropy
    of softmax(logits / tau) over the scored steps, and its derivative with respect to the temperature tau."""
    def make(**switches):
        return lambda z, y, m, tau: _temperature(z, y, m, tau, **switches)

    mistakes = [
        Mistake(make(dtau="no_chain"), "The chain rule's last factor is missing: the logits enter as s = z / τ, and "
                                       "ds/dτ = −z / τ², so dL/dτ = Σ (p − one_hot) ⊙ (−z / τ²) / N."),
        Mistake(make(dtau="sign"), "The sign of dL/dτ is wrong: d(z/τ)/dτ = −z/τ², negative for a positive logit."),
        Mistake(make(dtau="one_tau"), "One τ short: d(z/τ)/dτ = −z / τ², not −z / τ (equivalently −s / τ with s = z/τ)."),
        Mistake(make(dtau="tau"), "You multiplied by −1/τ² but dropped z: d(z/τ)/dτ = −z/τ², one factor per logit, so "
                                  "dL/dτ = −Σ (p − one_hot) ⊙ z / (τ² N)."),
        Mistake(make(p_at_one=True), "Your p is softmax(logits), at temperature 1: the loss is computed at "
                                     "temperature τ, so p = softmax(logits / τ)."),
        Mistake(make(loss_at_one=True), "Your loss is computed at temperature 1: divide the logits by τ first, "
                                        "L = cross-entropy of softmax(logits / τ)."),
        *[Mistake(lambda z, y, m, tau, mk=mk: _temperature(z, y, m, tau, **mk.compute(z, y, m, tau)), mk.message)
          for mk in (Mistake(lambda z, y, m, tau: {"weights": np.ones_like(m)}, "You averaged over every step: only "
                             "the steps where mask is True are scored (divide by mask.sum())."),
                     Mistake(lambda z, y, m, tau: {"weights": ~m}, "Your mask is inverted: you scored the steps "
                             "where mask is False."),
                     Mistake(lambda z, y, m, tau: {"n": m.size}, "A mean over the wrong count: you divided by all T·B "
                             "steps, scored or not: divide by mask.sum()."),
                     Mistake(lambda z, y, m, tau: {"n": 1.0}, "Your loss is the sum over the scored steps; the book's "
                             "is their mean (divide by mask.sum(), dL/dτ too)."),
                     Mistake(lambda z, y, m, tau: {"log": "underflow"}, "Your loss is infinite when the right class is "
                             "far below the largest logit / τ: log(softmax) underflows. Use the log-softmax, "
                             "s - max - log Σ e^(s - max)."),
                     Mistake(lambda z, y, m, tau: {"log": "unshifted"}, "With a small τ the logits / τ are large and "
                             "e^(z/τ) overflows: subtract the largest of each step before exponentiating."))],
    ]
    hint = ("Return (loss, dtau): a number and a number. With s = logits / τ and p = softmax(s): "
            "dL/dτ = Σ over the scored steps of (p − one_hot) ⊙ (−logits / τ²), divided by mask.sum().")
    cases = _temperature_cases()
    return check("temperature_gradient", function, _temperature, cases, several(("loss", "dtau"), mistakes, hint),
                 list(cases[0]), hint, "temperatures from 0.01 to 25, masks with unscored steps and sequences, float32",
                 batched=no_batches)
