"""Checkers for the exercises of chapter 13 (what the units learned): a feature the chapter does not define (the
characters left on the line), Pearson's r with a 0/1 feature from the two groups' means, and the mean slope of a
gate. Each runs the reader's function on seeded cases with the runner shared by every checker, compares with the
answer written here (held to `lstm_book.units` by the tests), and names the usual mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_book.units import text_features

from .diagnoses import Mistake, single
from .runner import Feedback, check, no_batches

__all__ = ["check_chars_to_line_end", "check_binary_correlation", "check_mean_gate_slope"]


def chars_to_line_end(text):
    """The characters still to be read before the next line break (or the end of the text), at every character
    of `text`: (position of the first line break after t, or N) - t - 1. At a line break: the next line's length."""
    N = len(text)
    breaks = [t for t, ch in enumerate(text) if ch == "\n"] + [N]
    out, k = np.empty(N), 0
    for t in range(N):
        while breaks[k] <= t:
            k += 1
        out[t] = breaks[k] - t - 1
    return out


def _text_cases() -> list[dict]:
    return [{"text": text} for text in ("ab\ncd e\n", "def f(x):\n    return x\n\n", "x = 1", "\n\n  a\n",
                                        "if a:\n    b = (1,\n         2)\nc")]


_LINE_END_HINT = ("Return a float array of len(text) numbers: at character t, how many characters come after it before "
                  "the next line break (or the end of the text); at a line break, the length of the next line.")


def check_chars_to_line_end(function) -> Feedback:
    """Check a reader's ``chars_to_line_end(text)`` -> (N,) numbers."""
    def column_left(text):       # counts the line break too
        return chars_to_line_end(text) + 1

    def column(text):            # the column, not what is left
        return text_features(text)["column"]

    def read_on_line(text):      # the characters before t on its line: the column counted from 0
        return np.array([t - 1 - text.rfind("\n", 0, t) for t in range(len(text))], dtype=float)

    def to_text_end(text):       # no stop at the line breaks
        return np.arange(len(text) - 1, -1, -1, dtype=float)

    def zero_at_break(text):     # the line break ends its own line
        return np.where(np.array(list(text)) == "\n", 0, chars_to_line_end(text)) if text else np.zeros(0)

    mistakes = [
        Mistake(column_left, "Your count includes the line break itself (or counts the character t): count only "
                             "the characters strictly after t and before the next line break."),
        *[Mistake(wrong, "That is the column (the characters read so far on the line): the exercise asks for what "
                         "is still to come before the next line break.") for wrong in (column, read_on_line)],
        Mistake(to_text_end, "You counted to the end of the text: the count stops at the next line break, and "
                             "starts again after it."),
        Mistake(zero_at_break, "At a line break your value is 0: after reading a line break the model is at the "
                               "start of the next line, so what remains is that whole next line's length."),
    ]
    judge = single("chars to line end", mistakes, _LINE_END_HINT)

    def diagnose(got, expected, case):
        if isinstance(got, np.ndarray) and got.ndim == 1 and len(got) != len(expected):
            return (f"it returned {len(got)} numbers for a text of {len(expected)} characters: return one number "
                    f"per character, len(text) of them, the last character's included.")
        return judge(got, expected, case)

    return check("chars_to_line_end", function, chars_to_line_end, _text_cases(), diagnose, ["text"], _LINE_END_HINT,
                 "five texts: blank lines, a last line without a line break, indented lines", batched=no_batches)


def _binary_cases() -> list[dict]:
    rng = np.random.default_rng(2016)
    cases = []
    for N, H, p in ((12, 3, 0.25), (40, 5, 0.5), (25, 1, 0.16)):
        inside = np.zeros(N, bool)
        inside[rng.permutation(N)[:round(p * N)]] = True
        cases.append({"values": rng.normal(0, 1, (N, H)) + 1.5 * inside[:, None] * rng.normal(0, 1, H),
                      "inside": inside})
    return cases


def binary_correlation(values, inside):
    """Pearson's r of each column of values (N, H) with a 0/1 feature (N,), from the two groups' means."""
    p = inside.mean()
    return (values[inside].mean(axis=0) - values[~inside].mean(axis=0)) * np.sqrt(p * (1 - p)) / values.std(axis=0)


_BINARY_HINT = ("Return one r per unit, shape (H,): (mean inside - mean outside) times sqrt(p (1 - p)), divided "
                "by the unit's standard deviation over all N characters (np.std, which divides by N).")


def check_binary_correlation(function) -> Feedback:
    """Check a reader's ``binary_correlation(values, inside)`` -> (H,), Pearson's r with a 0/1 feature."""
    def no_p(v, b):
        return (v[b].mean(axis=0) - v[~b].mean(axis=0)) / v.std(axis=0)

    def p_not_root(v, b):
        return binary_correlation(v, b) * np.sqrt(b.mean() * (1 - b.mean()))

    def sign(v, b):
        return -binary_correlation(v, b)

    def sample_std(v, b):
        return binary_correlation(v, b) * v.std(axis=0) / v.std(axis=0, ddof=1)

    def spread(v, b, over):      # r divided by another spread than each unit's over all N characters
        return binary_correlation(v, b) * v.std(axis=0) / over(v, b)

    def p_count(v, b):
        return binary_correlation(v, b) * np.sqrt(b.sum() * (1 - b.sum()) / (b.mean() * (1 - b.mean())))

    def all_units_means(v, b):
        return (v[b].mean() - v[~b].mean()) * np.sqrt(b.mean() * (1 - b.mean())) / v.std(axis=0)

    mistakes = [
        Mistake(no_p, "You left out the factor sqrt(p (1 - p)), p the share of characters inside: a difference of "
                      "means alone can exceed 1; r also depends on how the characters split between the groups."),
        Mistake(p_not_root, "Your factor is p (1 - p) where it is its square root: the covariance holds p (1 - p), "
                            "and the feature's standard deviation divides out one sqrt(p (1 - p))."),
        Mistake(sign, "Your r has the wrong sign: it is positive when the unit is higher inside (mean inside minus "
                      "mean outside)."),
        Mistake(sample_std, "You divided by the standard deviation with N - 1 (ddof=1), but the means and the "
                            "covariance divide by N: use np.std(values, axis=0), which divides by N."),
        Mistake(lambda v, b: spread(v, b, lambda v_, b_: v_.std()), "You divided by one standard deviation of all "
                "the values together: each unit's r uses that unit's own spread, values.std(axis=0)."),
        Mistake(lambda v, b: spread(v, b, lambda v_, b_: v_.var(axis=0)), "You divided by the variance: r divides "
                "by the standard deviation s_v, its square root."),
        Mistake(lambda v, b: spread(v, b, lambda v_, b_: v_[b_].std(axis=0)), "You took the standard deviation of "
                "the characters inside only: s_v is the unit's spread over all N characters."),
        Mistake(p_count, "Your p is the number of characters inside, not their share: p = inside.mean(), between "
                         "0 and 1 (with a count, p (1 - p) is negative and its root NaN)."),
        Mistake(all_units_means, "You took the means over all the units together (no axis=0): each unit's r needs "
                                 "that unit's own mean inside and outside, values[inside].mean(axis=0)."),
    ]
    return check("binary_correlation", function, binary_correlation, _binary_cases(),
                 single("r", mistakes, _BINARY_HINT), ["values", "inside"], _BINARY_HINT,
                 "three sets of units, with a quarter, a half and a sixth of the characters inside",
                 batched=no_batches)


def mean_gate_slope(values):
    """The mean over time (axis 0) of the sigmoid's slope at each gate value g: σ'(z) = g (1 - g)."""
    return np.mean(values * (1 - values), axis=0)


def _slope_cases() -> list[dict]:
    rng = np.random.default_rng(2017)
    return [{"values": 1 / (1 + np.exp(-rng.normal(m, s, (N, H))))} for N, H, m, s in ((6, 3, 0.0, 1.0),
                                                                                       (20, 4, 2.5, 2.0),
                                                                                       (9, 1, -1.0, 3.0))]


_SLOPE_HINT = ("Return one number per unit, shape (H,): the mean over the N steps (axis 0) of g (1 - g), the "
               "sigmoid's derivative written with its own value g = σ(z).")


def check_mean_gate_slope(function) -> Feedback:
    """Check a reader's ``mean_gate_slope(values)`` -> (H,), the mean of σ'(z) = g (1 - g) over axis 0."""
    mistakes = [
        Mistake(lambda g: np.mean(1 - g ** 2, axis=0), "1 - g² is the derivative of tanh: the gates use the "
                                                        "sigmoid, whose derivative is σ(z) (1 - σ(z)) = g (1 - g)."),
        Mistake(lambda g: np.mean(g * (1 - g), axis=1), "You averaged over the units (axis 1): average over the "
                                                         "steps (axis 0), one number per unit."),
        Mistake(lambda g: np.mean(1 / (1 + np.exp(-g)) * (1 - 1 / (1 + np.exp(-g))), axis=0),
                "You applied the sigmoid again: the values are already g = σ(z), so the slope is g (1 - g)."),
        Mistake(lambda g: g * (1 - g), "That is the slope at every step, (N, H): average it over the steps (axis "
                                       "0), one number per unit."),
        Mistake(lambda g: np.sum(g * (1 - g), axis=0), "You summed over the steps: the mean slope divides that sum "
                                                        "by the number of steps N (np.mean(..., axis=0))."),
        Mistake(lambda g: np.mean(g * (1 + g), axis=0), "The slope is g (1 - g), not g (1 + g): σ'(z) = σ(z) "
                                                         "(1 - σ(z)), at most 1/4."),
        Mistake(lambda g: g.mean(axis=0) * (1 - g.mean(axis=0)), "You took the slope at the mean gate value: the "
                "mean of g (1 - g) is not ḡ (1 - ḡ), since the slope is curved. Take the slope at every step, "
                "then average."),
    ]
    return check("mean_gate_slope", function, mean_gate_slope, _slope_cases(),
                 single("mean slope", mistakes, _SLOPE_HINT), ["values"], _SLOPE_HINT,
                 "three gates: balanced, mostly open, and widely spread", batched=no_batches)
