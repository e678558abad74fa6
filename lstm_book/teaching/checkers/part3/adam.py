"""Chapter 10's checkers of numbers that steer training: `check_adam_step` (one step of Adam) and
`check_forget_bias` (the forget bias that keeps a share of the memory over a number of steps, exercise 10.3).

Adam's cases vary the step counter (1 to 100,000), the gradient over many orders (1e-9 to 1e3), a second moment
so small that ε decides the step, zero gradients and moments, 1- to 3-axis arrays and float32. Catalogue: the
bias correction missing, off by one step or on one moment only, ε inside the square root, outside the division
or missing, the moments not updated or returned corrected, v from g instead of g², β's swapped, the step along g.
"""

from __future__ import annotations

import numpy as np

from lstm_book.adam import Adam

from ..diagnoses import Mistake, several, single
from ..runner import Feedback, check, no_batches

__all__ = ["check_adam_step", "check_forget_bias"]

B1, B2, EPS = 0.9, 0.999, 1e-8


def _adam_reference(theta, g, m, v, t, learning_rate):
    adam = Adam(learning_rate)
    adam.t, adam.m, adam.v = t - 1, {"w": m}, {"w": v}
    new = adam.step({"w": theta}, {"w": g})
    return new["w"], adam.m["w"], adam.v["w"]


def _adam_cases() -> list[dict]:
    rng = np.random.default_rng(2015)
    cases = [{"theta": np.array([1.0]), "g": np.array([2.0]), "m": np.zeros(1), "v": np.zeros(1), "t": 1,
              "learning_rate": 0.1}]
    for t, shape, g_scale, lr, dtype in ((2, (3,), 1.0, 0.01, np.float64), (7, (2, 3), 1.0, 0.01, np.float64),
                                         (1000, (4,), 1.0, 0.01, np.float64), (100000, (3,), 1.0, 0.05, np.float64),
                                         (3, (5,), 1e-9, 0.01, np.float64), (50, (2, 2, 2), 1e3, 1e-3, np.float64),
                                         (5, (4,), 1.0, 0.01, np.float32)):
        g = rng.normal(0, g_scale, shape)
        cases.append({"theta": rng.normal(size=shape).astype(dtype), "g": g.astype(dtype),
                      "m": rng.normal(0, 0.1 * g_scale, shape).astype(dtype),
                      "v": (rng.uniform(0.01, 0.2, shape) * g_scale**2).astype(dtype), "t": t, "learning_rate": lr})
    cases.append({"theta": np.array([0.5, -2.0]), "g": np.zeros(2), "m": np.zeros(2), "v": np.zeros(2), "t": 1,
                  "learning_rate": 0.1})
    return cases


def _adam(theta, g, m, v, t, lr, *, correct="both", t_shift=0, eps="ok", update=True, returned="new",
          square=True, swap=False, direction="m", sign=-1.0, use_lr=True):
    """One Adam step with the switches that make the classic mistakes."""
    if update:
        m_new = (1 - B1) * m + B1 * g if swap else B1 * m + (1 - B1) * g
        g2 = g**2 if square else g
        v_new = (1 - B2) * v + B2 * g2 if swap else B2 * v + (1 - B2) * g2
    else:
        m_new, v_new = m, v
    tt = t + t_shift
    m_hat = m_new / (1 - B1**tt) if correct in ("both", "m") else m_new
    v_hat = v_new / (1 - B2**tt) if correct in ("both", "v") else v_new
    step_dir = m_hat if direction == "m" else g
    denominator = {"ok": np.sqrt(v_hat) + EPS, "inside": np.sqrt(v_hat + EPS), "none": np.sqrt(v_hat),
                   "paper": (np.sqrt(v_new) + EPS) / np.sqrt(1 - B2**tt), "v": v_hat + EPS,
                   "outside": np.sqrt(v_hat)}[eps]
    ratio = step_dir / denominator + (EPS if eps == "outside" else 0.0)
    new_theta = theta + sign * (lr if use_lr else 1.0) * ratio
    if returned == "old":
        return new_theta, m, v
    if returned == "hat":
        return new_theta, m_hat, v_hat
    return new_theta, m_new, v_new


def check_adam_step(function) -> Feedback:
    """Check a reader's ``adam_step(theta, g, m, v, t, learning_rate)`` -> (theta, m, v), with β1 = 0.9,
    β2 = 0.999, ε = 1e-8; t is the number of this step, 1 for the first."""
    def make(**switches):
        return lambda *args: _adam(*args, **switches)

    mistakes = [
        Mistake(make(correct="none"), "No bias correction: m and v start at 0, so early on they are too small. "
                                      "Divide by 1 - β1^t and 1 - β2^t before the step."),
        Mistake(make(correct="m"), "Only m is bias-corrected: v starts at 0 too, so divide it by 1 - β2^t as well."),
        Mistake(make(correct="v"), "Only v is bias-corrected: m starts at 0 too, so divide it by 1 - β1^t as well."),
        Mistake(make(t_shift=-1), "The bias correction is off by one step (t - 1): the first step is t = 1, so it "
                                  "divides by 1 - β1¹ = 0.1 (at t = 0 it would divide by zero)."),
        Mistake(make(t_shift=1), "The bias correction is off by one step (t + 1): t is already the number of this "
                                 "step, 1 for the first; divide by 1 - β1^t and 1 - β2^t."),
        Mistake(make(eps="inside"), "ε is inside the square root, √(v̂ + ε): it belongs outside, √v̂ + ε. Where v̂ is "
                                    "tiny the two differ by orders of magnitude."),
        Mistake(make(eps="outside"), "ε is added to the ratio, m̂/√v̂ + ε: it belongs in the denominator, "
                                     "m̂ / (√v̂ + ε), where it keeps the step finite when v̂ is 0."),
        Mistake(make(eps="none"), "ε is missing: m̂ / (√v̂ + ε) keeps the step finite where v̂ is (nearly) 0."),
        Mistake(make(eps="paper"), "You used the paper's 'efficient' form, ε added to √v before the bias "
                                   "correction: the book's step adds ε to √v̂, m̂ / (√v̂ + ε), and the two differ where "
                                   "v is tiny."),
        Mistake(make(eps="v"), "You divided by v̂ instead of √v̂: v is a running mean of g², so its square root has "
                               "the size of g."),
        Mistake(make(update=False), "The moments are not updated: m ← β1 m + (1 - β1) g and v ← β2 v + (1 - β2) g² "
                                    "come first, and the step uses (and returns) the new ones."),
        Mistake(make(returned="old"), "The step is right but you returned the old m and v: return the updated "
                                      "moments, the next step needs them."),
        Mistake(make(returned="hat"), "You returned the bias-corrected m̂ and v̂: keep (and return) the running "
                                      "means m and v; the correction is applied afresh at every step."),
        Mistake(make(square=False), "Your v is a running mean of g, not of g²: v ← β2 v + (1 - β2) g²."),
        Mistake(make(direction="g"), "Your step uses the current gradient g; Adam steps along m̂, the bias-corrected "
                                     "running mean of the gradients (and still updates m)."),
        Mistake(make(swap=True), "The running means have their weights swapped: m ← β1 m + (1 - β1) g keeps 90% of "
                                 "the old mean and adds 10% of the new gradient."),
        Mistake(make(sign=1.0), "Your step goes uphill: θ ← θ − learning_rate · m̂ / (√v̂ + ε), a minus."),
        Mistake(make(use_lr=False), "The learning rate is missing: θ ← θ − learning_rate · m̂ / (√v̂ + ε)."),
    ]
    hint = "theta, g, m and v all have the same shape; every operation is elementwise."
    cases = _adam_cases()
    return check("adam_step", function, _adam_reference, cases, several(("theta", "m", "v"), mistakes, hint),
                 list(cases[0]), hint, "steps 1 to 100,000, gradients from 1e-9 to 1e3, a tiny second moment, zero "
                                       "gradients, float32", batched=no_batches)


# ------------------------------------------------------------------ exercise 10.3: the forget bias

def _logit(f):
    return np.log(f / (1 - f))


def _forget_bias(steps, share):
    """The bias b with σ(b)^steps = share: f = share^(1/steps), b = ln(f / (1 - f))."""
    return np.float64(_logit(share ** (1.0 / steps)))


def check_forget_bias(function) -> Feedback:
    """Check a reader's ``forget_bias(steps, share)`` -> b: the forget bias for which `steps` resting forget gates,
    σ(b)^steps, keep exactly `share` of the memory."""
    mistakes = [
        Mistake(lambda n, s: _logit(s), "Your bias ignores the number of steps: σ(b) is the share kept by ONE gate, "
                                        "so σ(b)^steps = share gives σ(b) = share^(1/steps)."),
        Mistake(lambda n, s: _logit(s**n), "You raised the share to the power `steps`: σ(b)^steps = share means "
                                           "σ(b) = share^(1/steps), the steps-th root."),
        Mistake(lambda n, s: _logit(s / n), "You divided the share by the number of steps: the gates multiply, so "
                                            "σ(b) = share^(1/steps), the steps-th root."),
        Mistake(lambda n, s: np.log(s ** (1 / n)), "You took ln f, which is negative: the bias is the inverse of σ, "
                                                   "b = ln(f / (1 − f)) with f = share^(1/steps)."),
        Mistake(lambda n, s: s ** (1 / n), "That is the gate's value f = share^(1/steps), not the bias: invert σ, "
                                           "b = ln(f / (1 − f))."),
        Mistake(lambda n, s: _logit(s ** (1 / n)) / np.log(10), "You used log10: the inverse of σ uses the natural "
                                                                "logarithm, b = ln(f / (1 − f))."),
        Mistake(lambda n, s: -_logit(s ** (1 / n)), "The sign is wrong: the inverse of σ is b = ln(f / (1 − f)), not "
                                                    "ln((1 − f) / f)."),
        Mistake(lambda n, s: s ** (1 / n) / (1 - s ** (1 / n)), "The logarithm is missing: b = ln(f / (1 − f))."),
        Mistake(lambda n, s: _logit(s ** (1 / (n - 1))), "Off by one: `steps` gates multiply, so f = share^(1/steps)."),
        Mistake(lambda n, s: _logit(s ** (1 / (n + 1))), "Off by one: `steps` gates multiply, so f = share^(1/steps)."),
    ]
    cases = [{"steps": n, "share": s} for n, s in ((40, 0.5), (44, 0.1), (1, 0.3), (1000, 0.9), (10, 0.99),
                                                     (3, 0.01), (2, 0.25), (7, 0.6))]
    hint = "Return one number, the bias b: σ(b)^steps = share."
    return check("forget_bias", function, _forget_bias, cases, single("b", mistakes, hint), ["steps", "share"], hint,
                 "1 to 1000 steps, shares from 0.01 to 0.99", batched=no_batches)
