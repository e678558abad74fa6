"""Checkers for the exercises of chapter 14 (how far back a prediction looks): the factor per step of a gradient
that falls with the distance, the memory path's gradient to every input written out (the chapter computes it by
cutting the backward pass and leaves the formula to the reader), and the factor per step of an untrained plain RNN
(a derivation the chapter does not give). Each runs the reader's function on seeded cases with the runner shared by
every checker, compares with an answer written here (tests/test_lookback_exercises.py holds these to the package:
the memory path to `lstm_book.lookback.input_gradients`, the factor to a measured untrained network), and names
the usual mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from .diagnoses import Mistake, single
from .part4 import _one_number
from .runner import Feedback, check, no_batches

__all__ = ["check_factor_per_step", "check_memory_path", "check_initial_rnn_factor"]


# ------------------------------------------------------------------ 14.1 the factor per step

def factor_per_step(g, first, last):
    """The typical factor per step between distances first < last: (g[last] / g[first]) ** (1 / (last − first))."""
    return (g[last] / g[first]) ** (1.0 / (last - first))


def _profile_cases() -> list[dict]:
    rng = np.random.default_rng(1994)
    cases = []
    for rate, first, last in ((0.9, 10, 50), (0.99, 0, 120), (0.6, 3, 9), (0.75, 20, 21)):
        d = np.arange(150)
        cases.append({"g": 5.0 * rate ** d * np.exp(rng.normal(0, 0.4, d.size)), "first": first, "last": last})
    return cases


_FACTOR_HINT = ("Return one number f such that g[last] = g[first] · f^(last − first): the (last − first)-th root of "
                "the ratio g[last] / g[first].")


def check_factor_per_step(function) -> Feedback:
    """Check a reader's ``factor_per_step(g, first, last)`` -> the geometric factor per step (a number)."""
    def mean_ratio(g, a, b):
        return float(np.mean(g[a + 1:b + 1] / g[a:b]))

    def one_more(g, a, b):
        return (g[b] / g[a]) ** (1.0 / (b - a + 1))

    def inverted(g, a, b):
        return (g[a] / g[b]) ** (1.0 / (b - a))

    def no_root(g, a, b):
        return g[b] / g[a]

    mistakes = [
        Mistake(mean_ratio, "You averaged the ratios of neighbours, g[d+1] / g[d]: a product of factors is summarised "
                            "by their geometric mean, the root of the whole ratio, not by their arithmetic mean."),
        Mistake(one_more, "Your root has one step too many: from distance first to distance last the gradient is "
                          "multiplied last − first times."),
        Mistake(inverted, "Your factor is above 1 where the gradient falls: take g[last] / g[first], not its "
                          "inverse."),
        Mistake(no_root, "That is the factor over the whole range: the factor per step is its (last − first)-th "
                         "root."),
        Mistake(lambda g, a, b: (g[b] - g[a]) / (b - a), "(g[last] − g[first]) / (last − first) is how much the "
                "gradient falls per step, a difference: the factor per step is a ratio, the root of g[last] / "
                "g[first]."),
        Mistake(lambda g, a, b: (g[b - 1] / g[a]) ** (1.0 / (b - a)), "You stopped at g[last − 1], as a slice's end "
                "would: distance last is included, the ratio is g[last] / g[first]."),
        Mistake(lambda g, a, b: (g[-1] / g[0]) ** (1.0 / (len(g) - 1)), "You used the ends of the whole profile: "
                "the factor is between the distances first and last that you are given."),
        *[Mistake(mixed, "You mixed two bases: exp undoes ln, and 10 ** undoes log10, but not each other. Take the "
                         "root of the ratio directly, or use one base both ways.")
          for mixed in (lambda g, a, b: math.exp(math.log10(g[b] / g[a]) / (b - a)),
                        lambda g, a, b: 10 ** (math.log(g[b] / g[a]) / (b - a)))],
    ]
    return check("factor_per_step", function, factor_per_step, _profile_cases(),
                 _one_number(single("factor", mistakes, _FACTOR_HINT)), ["g", "first", "last"], _FACTOR_HINT,
                 "noisy profiles falling by 0.6 to 0.99 a step, over ranges of 1 to 120 steps", batched=no_batches)


# ------------------------------------------------------------------ 14.2 the memory path, written out

def memory_path(e, f, i, j, c_prev, W_xi, W_xj, W_xf):
    """The memory path's gradient to every input x_s, (T, B, V): δ_s = e ⊙ f_T ⊙ … ⊙ f_{s+1} reaches c_s, then
    (δ_s ⊙ j_s ⊙ (1 − i_s²)) W_xi + (δ_s ⊙ i_s ⊙ j_s (1 − j_s)) W_xj + (δ_s ⊙ c_{s−1} ⊙ f_s (1 − f_s)) W_xf."""
    return _memory_path(e, f, i, j, c_prev, W_xi, W_xj, W_xf)


def _memory_path(e, f, i, j, c_prev, W_xi, W_xj, W_xf, *, shift=False, forward=False, no_f=False, plain_sigma=False,
                 no_tanh=False, no_i=False, no_j=False, c_s=False, half_tanh=False, no_candidate=False):
    """`memory_path` and its typical mistakes, each switched on by name."""
    T = len(f)
    delta = np.empty_like(f)
    carried = e
    order = range(T) if forward else range(T - 1, -1, -1)
    for s in order:
        if shift:
            carried = carried * f[s]                 # the gate of step s itself included
        delta[s] = carried
        if not shift:
            carried = carried * f[s]                 # f_s carries the error on from c_s to c_{s−1}
    di = delta * j * (1.0 if no_tanh else 1 - i if half_tanh else 1 - i ** 2)
    dj = delta * (1.0 if no_candidate else i) * (j if plain_sigma else j * (1 - j))
    df = delta * (c_prev * f + i * j if c_s else c_prev) * (f if plain_sigma else f * (1 - f))
    return (0.0 if no_i else di @ W_xi) + (0.0 if no_j else dj @ W_xj) + (0.0 if no_f else df @ W_xf)


def _memory_cases() -> list[dict]:
    rng = np.random.default_rng(1997)
    cases = []
    for T, B, H, V in ((1, 2, 3, 4), (6, 3, 4, 5), (12, 1, 2, 3)):
        sig = lambda z: 1 / (1 + np.exp(-z))                      # noqa: E731
        cases.append({"e": rng.normal(0, 1, (B, H)), "f": sig(rng.normal(1.5, 1.0, (T, B, H))),
                      "i": np.tanh(rng.normal(0, 1, (T, B, H))), "j": sig(rng.normal(0, 1, (T, B, H))),
                      "c_prev": rng.normal(0, 1, (T, B, H)), "W_xi": rng.normal(0, 1, (H, V)),
                      "W_xj": rng.normal(0, 1, (H, V)), "W_xf": rng.normal(0, 1, (H, V))})
    return cases


_MEMORY_HINT = ("Return g of shape (T, B, V). From the last step back: δ_s = e at s = T, then times the gate that "
                "carried c_s into c_{s+1}; at each step, δ_s goes into the parts i, j, f of step s (each times its "
                "own derivative) and through their input weights: (...) @ W_x.")


#: The typical mistakes of the memory path: the switch of `_memory_path` that makes each, and what to say.
_MEMORY_MISTAKES = {
    "shift": "Your error at c_s is one forget gate short (or long): δ_T = e, and going back from c_{s+1} to c_s "
             "multiplies by f_{s+1}, the gate that scaled c_s on its way into c_{s+1}; f_s is not on that way.",
    "forward": "You ran the product the wrong way: the error starts at the last step, T, and travels back to s, so "
               "δ_s is e times the gates f_{s+1} … f_T of the steps after s.",
    "no_f": "The forget gate's own part is missing: c_s = c_{s−1} ⊙ f_s + i_s ⊙ j_s depends on x_s through f_s "
            "too, with ∂c_s/∂z_f = c_{s−1} ⊙ f_s (1 − f_s).",
    "plain_sigma": "A sigmoid's derivative is σ(1 − σ): for the input gate j_s (1 − j_s), for the forget gate "
                   "f_s (1 − f_s); you used the gate's value alone.",
    "no_tanh": "The input state is a tanh: ∂i_s/∂z_i = 1 − i_s², which your gradient of the i part lacks.",
    "half_tanh": "The tanh's derivative is 1 − i_s², the square of the input state: you wrote 1 − i_s.",
    "no_i": "The input state's own part is missing: c_s depends on x_s through i_s, with ∂c_s/∂z_i = j_s ⊙ "
            "(1 − i_s²), reaching x_s through W_xi.",
    "no_j": "The input gate's own part is missing: c_s depends on x_s through j_s, with ∂c_s/∂z_j = i_s ⊙ "
            "j_s (1 − j_s), reaching x_s through W_xj.",
    "no_candidate": "The input gate's part lacks i_s: j_s is multiplied by i_s in c_s, so ∂c_s/∂z_j = i_s ⊙ "
                    "j_s (1 − j_s).",
    "c_s": "The forget gate's part needs c_{s−1}, the cell state the gate scales (c_prev[s]), not c_s: "
           "∂c_s/∂z_f = c_{s−1} ⊙ f_s (1 − f_s).",
}


def check_memory_path(function) -> Feedback:
    """Check a reader's ``memory_path(e, f, i, j, c_prev, W_xi, W_xj, W_xf)`` -> (T, B, V)."""
    mistakes = [Mistake(lambda *a, switch=switch: _memory_path(*a, **{switch: True}), words)
                for switch, words in _MEMORY_MISTAKES.items()]
    return check("memory_path", function, memory_path, _memory_cases(), single("g", mistakes, _MEMORY_HINT),
                 ["e", "f", "i", "j", "c_prev", "W_xi", "W_xj", "W_xf"], _MEMORY_HINT,
                 "one step, 6 and 12 steps, batches of 1 to 3", batched=no_batches)


# ------------------------------------------------------------------ 14.3 an untrained RNN's factor per step

def initial_rnn_factor(hidden_size):
    """The factor by which an untrained plain RNN (W_hh uniform in ±1/√H, states near 0) shrinks the size of the
    error at each step back: E|W_hh^T v|² = H · (1/(3H)) · |v|² = |v|² / 3, so 1/√3 whatever H."""
    return 1.0 / math.sqrt(3.0) + 0.0 * hidden_size


_RNN_HINT = ("Return one number. A step back multiplies the error v by W_hh^T (tanh' ≈ 1 near 0): work out the "
             "expected |W_hh^T v|² for entries uniform in ±1/√H (their variance is (1/√H)² / 3), then take the root.")


def check_initial_rnn_factor(function) -> Feedback:
    """Check a reader's ``initial_rnn_factor(hidden_size)`` -> the factor per step (a number)."""
    mistakes = [
        Mistake(lambda H: 1 / math.sqrt(H), "1/√H is the size of one weight, not of the factor: the error meets "
                                            "H weights at every step, and their squares add up."),
        Mistake(lambda H: 1 / 3, "1/3 is the factor of the squared size, |W_hh^T v|² / |v|²: take its root."),
        Mistake(lambda H: 1 / math.sqrt(3 * H), "You used the variance of one weight, 1/(3H), without the H terms "
                                                "that add up in each entry of W_hh^T v."),
        Mistake(lambda H: 1.0, "A factor of 1 would keep the error's size: uniform weights in ±1/√H have variance "
                               "1/(3H), not 1/H."),
        Mistake(lambda H: math.sqrt(3), "A factor above 1 would make the error grow: E|W_hh^T v|² = |v|² / 3, so "
                                        "the size shrinks by 1/√3 per step, not √3."),
        Mistake(lambda H: 1 / math.sqrt(12), "You took the variance of a uniform weight in [−a, a] as a²/12: that "
                "is for a width a; the width here is 2a, so the variance is (2a)²/12 = a²/3."),
    ]
    cases = [{"hidden_size": H} for H in (128, 4, 1000)]            # at H = 4, 1/√(3H) = 1/√12: not the first
    return check("initial_rnn_factor", function, initial_rnn_factor, cases,
                 _one_number(single("factor", mistakes, _RNN_HINT)), ["hidden_size"], _RNN_HINT,
                 "H = 128, 4 and 1000", batched=no_batches)

