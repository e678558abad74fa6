"""Checkers for the exercises of Part IV (chapter 12): the softmax with a temperature, evaluation in chunks with
the state carried, and the best readout bias of a model with no other weight (exercise 12.3: softmax(b_y) must be
the observed frequencies, the unigram; any b_y + constant is right, so softmax(b_y) is judged). Each runs the
reader's function on seeded cases with the runner shared by every checker, compares with `lstm_book` (or with the
frequencies), and names the usual mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_book.charlm import charlm_forward, evaluate_bits, init_charlm, softmax
from lstm_book.params import Params
from lstm_book.text import streams

from .diagnoses import Mistake, single
from .results import as_numbers, close
from .runner import Feedback, check, no_batches

__all__ = ["check_softmax_with_temperature", "check_evaluate_in_chunks", "check_unigram_bias"]


def _logit_cases() -> list[dict]:
    rng = np.random.default_rng(2015)
    cases = [{"logits": rng.normal(0, 2.0, 5), "temperature": tau} for tau in (1.0, 0.5, 2.5)]
    cases.append({"logits": rng.normal(0, 2.0, (3, 4)), "temperature": 0.7})
    cases.append({"logits": np.array([900.0, 0.0, -3.0]), "temperature": 0.5})     # e^1800 overflows
    cases.append({"logits": np.array([[900.0, 899.0, 897.0], [-3.0, 0.0, 2.0]]), "temperature": 0.5})  # rows apart
    return cases


_SOFTMAX_HINT = ("Return p with the shape of logits: exp(logits / temperature), normalised over the last axis "
                 "(keepdims=True), after subtracting the largest scaled logit.")


def check_softmax_with_temperature(function) -> Feedback:
    """Check a reader's ``softmax_with_temperature(logits, temperature)`` -> p, the shape of logits."""
    def plain(z, tau):
        return softmax(z, 1.0)

    def times(z, tau):
        return softmax(z * tau, 1.0)

    def whole_array(z, tau):
        e = np.exp((z - z.max()) / tau)
        return e / e.sum()

    def no_normalise(z, tau):
        return np.exp((z - z.max(axis=-1, keepdims=True)) / tau)

    def shifted(max_axis, sum_axis):
        """exp of the scaled logits less their maximum over `max_axis` (None: the batch's), summing to 1 over
        `sum_axis` (None: the whole array)."""
        def p(z, tau):
            e = np.exp((z - z.max(axis=max_axis, keepdims=True)) / tau)
            return e / e.sum(axis=sum_axis, keepdims=True)
        return p

    whole = ("For a batch of rows you normalised over the whole array: each row (the last axis) must sum to 1 on its "
             "own; use axis=-1, keepdims=True.")

    mistakes = [
        Mistake(plain, "Your probabilities do not depend on the temperature: divide the logits by it first, "
                       "softmax(logits / temperature)."),
        Mistake(times, "You multiplied the logits by the temperature: divide them by it. A temperature below 1 "
                       "must sharpen the distribution (largest logit more likely), above 1 flatten it."),
        Mistake(whole_array, whole),
        Mistake(shifted(-1, None), whole),
        Mistake(shifted(0, 0), "You normalised over the first axis (axis=0), the rows of the batch: each row "
                                   "holds the scores of one prediction, so normalise over the last axis, axis=-1."),
        Mistake(shifted(None, -1), "You subtracted one maximum for the whole batch: a row whose scores are far below "
                                   "it underflows to exp(...) = 0 everywhere, and 0 / 0. Subtract each row's own "
                                   "largest scaled logit, z.max(axis=-1, keepdims=True)."),
        Mistake(lambda z, tau: softmax(z, tau * tau), "You divided by the temperature twice: softmax(logits / "
                                                      "temperature), once."),
        Mistake(lambda z, tau: np.log(softmax(z, tau)),
                "Those are the log-probabilities (a log-softmax): return the probabilities themselves, each row "
                "positive and summing to 1."),
        Mistake(no_normalise, "Your values do not sum to 1: divide by their sum over the last axis."),
    ]
    cases = _logit_cases()

    def diagnose(got, expected, case):
        numbers = as_numbers(got) if case is cases[4] or case is cases[5] else None
        finite = numbers is None or bool(np.all(np.isfinite(numbers)))
        if case is cases[4] and not finite:
            return ("With a logit of 900 at temperature 0.5 your result is not finite: e^1800 overflows. Subtract "
                    "the largest scaled logit of each row before exponentiating; the probabilities do not change.")
        verdict = single("p", mistakes, _SOFTMAX_HINT)(got, expected, case)
        if verdict and case is cases[5] and finite and np.shape(numbers) == (2, 3) and close(numbers[1], expected[1]):
            return ("Your probabilities are wrong only in the row of logits near 900: clipping (or capping) the "
                    "scaled logits to keep exp from overflowing changes their differences, and so the probabilities. "
                    "Subtract each row's largest scaled logit instead, which changes nothing.")
        return verdict

    return check("softmax_with_temperature", function, softmax, cases, diagnose, ["logits", "temperature"],
                 _SOFTMAX_HINT, "one row and a batch, temperatures 0.5 to 2.5, and logits of 900 (with a row far "
                 "below them)",
                 batched=no_batches)


def _chunk_cases() -> list[dict]:
    rng = np.random.default_rng(2011)
    cases = []
    for V, H, N, B, T in ((5, 4, 41, 2, 3), (6, 3, 60, 3, 4), (4, 2, 30, 1, 7)):
        params = init_charlm(V, H, seed=int(rng.integers(100)))
        params = Params({k: v + rng.normal(0, 0.5, v.shape).astype(np.float32) for k, v in params.items()},
                        params.layout)
        inputs, targets = streams(rng.integers(0, V, N), B)
        cases.append({"params": params, "inputs": inputs, "targets": targets, "seq_len": T})
    return cases


def _chunks(params, inputs, targets, T, carry="h and c", weighted=True, nats=False, last_chunk=True, per=None,
            scored=None):
    """The mistakes' evaluation: the state reset at every chunk ("none"), only h carried, h and c swapped, the
    chunk's first step carried; chunk means averaged as equals; nats; the last, shorter chunk left out; divided by
    the steps only (`per` = "step") or not at all ("total"); the inputs scored instead of the targets."""
    B, H = inputs.shape[1], params["W_hi"].shape[1]
    h = c = np.zeros((B, H), np.float32)
    totals, sizes = [], []
    for s in range(0, len(inputs) if last_chunk else len(inputs) - len(inputs) % T, T):
        logits, trace = charlm_forward(params, inputs[s:s + T], h, c)
        p = softmax(logits.astype(np.float64))
        picked = np.take_along_axis(p, (inputs if scored == "inputs" else targets)[s:s + T, :, None], -1)
        totals.append(-np.log(picked).sum())
        sizes.append(picked.size)
        h, c = {"h and c": (trace.h[-1], trace.c[-1]), "none": (h, c), "h": (trace.h[-1], c),
                "swapped": (trace.c[-1], trace.h[-1]), "first step": (trace.h[0], trace.c[0])}[carry]
    unit = 1.0 if nats else math.log(2)
    if not weighted:
        return float(np.mean([t / n for t, n in zip(totals, sizes)])) / unit
    return sum(totals) / {None: sum(sizes), "all": targets.size, "step": len(targets), "total": 1}[per] / unit


_CHUNK_HINT = ("Return one number: the mean of -log2 p(target) over every character of every stream. Start from "
               "h = c = zeros((B, H)); after each chunk, start the next from trace.h[-1] and trace.c[-1].")


#: The typical mistakes of the evaluation in chunks: the switches of `_chunks` that make each, and what to say.
_CHUNK_MISTAKES = [
    ({"carry": "none"}, "Every chunk starts from zeros: carry the state. The next chunk must start from the last h "
                        "and c of this one (trace.h[-1], trace.c[-1]), as the streams continue there."),
    ({"carry": "h"}, "You carried h but not c: the cell state is the memory, and the next chunk must start from "
                     "both, trace.h[-1] and trace.c[-1]."),
    ({"carry": "swapped"}, "You carried h and c swapped: the next chunk starts from h = trace.h[-1] and c = "
                           "trace.c[-1] (charlm_forward takes h0 before c0)."),
    ({"carry": "first step"}, "You carried the state of the chunk's first step, trace.h[0]: the next chunk "
                              "continues after its last step, trace.h[-1] and trace.c[-1]."),
    *[({"last_chunk": False, "per": per}, "You left out the last, shorter chunk: when seq_len does not divide the "
       "length, the characters after the last whole chunk count too (range(0, L, seq_len) reaches them; the slice "
       "is shorter).") for per in (None, "all")],
    ({"per": "step"}, "You divided by the number of steps L only: each step predicts one character in each of the "
                      "B streams, so divide by L·B (targets.size)."),
    ({"per": "total"}, "That is the total number of bits over the text: bits per character divides it by the "
                       "number of characters, targets.size."),
    ({"scored": "inputs"}, "You scored the inputs: the prediction made at step t is for the next character, "
                           "targets[t]."),
    ({"weighted": False}, "You averaged the chunks' means as equals, but the last chunk is shorter: add up -log2 p "
                          "over every character and divide by the number of characters."),
    ({"nats": True}, "Your loss is in nats (natural logarithm): bits per character use log2 (divide by ln 2)."),
]


def check_evaluate_in_chunks(function) -> Feedback:
    """Check a reader's ``evaluate_in_chunks(params, inputs, targets, seq_len)`` -> bits per character."""
    mistakes = [Mistake(lambda p, i, t, T, switches=switches: _chunks(p, i, t, T, **switches), words)
                for switches, words in _CHUNK_MISTAKES]
    return check("evaluate_in_chunks", function, evaluate_bits, _chunk_cases(),
                 _one_number(single("bits", mistakes, _CHUNK_HINT)), ["params", "inputs", "targets", "seq_len"],
                 _CHUNK_HINT,
                 "three models, one to three streams, chunks that do not divide the text", batched=no_batches)


def _one_number(diagnose):
    """A diagnosis for a function that returns one number: a tuple or list is said to be one first."""
    def one(got, expected, case):
        if isinstance(got, (tuple, list)):
            return f"it returned {len(got)} values ({type(got).__name__}); return one number."
        return diagnose(got, expected, case)
    return one


# ------------------------------------------------------------------ exercise 12.3: the bias alone

def unigram_frequencies(counts):
    """The observed next-character frequencies, counts / N: what softmax(b_y) must equal at the best b_y."""
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum()


def _as_probabilities(diagnose):
    """Judge softmax(b_y) rather than b_y: every b_y + constant is as good (softmax does not see the constant)."""
    def judged(got, expected, case):
        numbers = None if isinstance(got, (tuple, list, dict, str, bytes)) else np.asarray(got) \
            if isinstance(got, (np.ndarray, np.generic)) else None
        if numbers is not None and numbers.dtype.kind == "f" and numbers.shape == np.shape(expected):
            if np.all(np.isfinite(numbers)):
                got = softmax(numbers.astype(np.float64))
            elif np.array_equal(np.isneginf(numbers), np.asarray(case["counts"]) == 1):
                return ("Your b_y is −inf exactly where a character occurs once: ln(0)? You took one away from each "
                        "count; b_y = ln(counts) (plus any constant) gives every character that occurs a chance.")
        return diagnose(got, expected, case)
    return judged


def _in_p(bias):
    """A mistake's b_y, judged as the reader's is: through softmax."""
    def p(counts):
        with np.errstate(all="ignore"):
            return softmax(np.asarray(bias(np.asarray(counts, dtype=float)), dtype=np.float64))
    return p


def check_unigram_bias(function) -> Feedback:
    """Check a reader's ``best_bias(counts)`` -> b_y (V,): the readout bias of a model whose every other weight is
    0 that minimises the mean cross-entropy of a text whose characters occur `counts` times (all ≥ 1). Any b_y
    with softmax(b_y) = counts / N is right (adding a constant changes nothing)."""
    def freq(c):
        return c / c.sum()

    mistakes = [
        Mistake(_in_p(lambda c: c), "You used the counts themselves as b_y: softmax exponentiates, so softmax(b_y) = "
                                    "counts / N needs b_y = ln(counts) (plus any constant)."),
        Mistake(_in_p(freq), "You used the frequencies themselves as b_y: softmax exponentiates them, so b_y must be "
                             "their logarithm, ln(counts / N) (plus any constant)."),
        Mistake(_in_p(lambda c: np.log2(freq(c))), "You took log2: softmax uses e^b, so b_y = ln(counts / N); log2 "
                                                   "gives probabilities ∝ (counts / N)^(1 / ln 2)."),
        Mistake(_in_p(lambda c: np.log10(freq(c))), "You took log10: softmax uses e^b, so b_y = ln(counts / N); "
                                                    "log10 gives probabilities ∝ (counts / N)^(1 / ln 10)."),
        Mistake(_in_p(lambda c: -np.log(freq(c))), "The sign is wrong: the gradient p − counts / N is zero where "
                                                   "softmax(b_y) = counts / N, so b_y = +ln(counts / N)."),
        Mistake(_in_p(lambda c: np.log(c + 1)), "You added one to each count, as the chapter's add-one baseline does: "
                                                 "the gradient p − counts / N vanishes at the observed frequencies "
                                                 "themselves, b_y = ln(counts / N)."),
        Mistake(_in_p(lambda c: np.log(c) / c.sum()), "Dividing ln(counts) by N changes the probabilities: only adding "
                                                       "a constant leaves softmax unchanged; b_y = ln(counts) − ln N."),
    ]
    rng = np.random.default_rng(1948)
    cases = [{"counts": np.array([1, 3, 4])},                                    # the chapter's toy text
             {"counts": rng.integers(1, 10, 5)},
             {"counts": rng.integers(1, 10**6, 93)},                             # the chapter's vocabulary size
             {"counts": np.array([10**7, 1, 1, 1])},                             # one character nearly always
             {"counts": np.array([2, 2])},
             {"counts": rng.integers(50, 5000, 12).astype(np.float32)}]
    hint = "Return b_y, an array of shape (V,) like counts, with softmax(b_y) equal to the frequencies counts / N."
    return check("best_bias", function, unigram_frequencies, cases,
                 _as_probabilities(single("softmax(b_y)", mistakes, hint)), ["counts"], hint,
                 "2 to 93 characters, counts from 1 to 10 million, float32 counts", batched=no_batches)
