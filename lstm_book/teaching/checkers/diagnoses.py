"""The diagnoses: how a checker judges one result and names the mistake behind a wrong one.

A `Mistake` is a known wrong version of an equation (σ and tanh swapped, the bias left out, the forget gate left
out on the way to c_{t-1}, ...) with the words for a reader whose answer matches it. `single` (one array), `several`
(a tuple of arrays) and `keyed` (a dict of arrays) make the `diagnose(got, expected, case)` that `check` calls: None
when the result is right, else what is wrong with its shape or numbers, naming the known mistake it matches.
`attempt` computes a mistake's result on a case. The catalogues of mistakes are in the modules of each part.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .results import agree, as_numbers, as_result, close, compare, rounding, unchanged, what_came


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of an equation and what to tell a reader whose answer matches it."""

    compute: Callable[..., object]
    message: str


def attempt(mistake: Callable, case: dict):
    """A mistake's result on a case, or None when that mistake cannot be computed with these shapes."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return mistake(*case.values())
    except Exception:
        return None


def single(symbol: str, mistakes: Sequence[Mistake], hint: str):
    """The diagnosis of a function with one result: its shape and values, then the known mistakes."""

    def diagnose(got, expected, case):
        array, problem = as_result(got, np.asarray(expected), symbol, hint)
        if array is None:
            numbers = None if isinstance(got, (tuple, list)) else as_numbers(got)
            if numbers is not None:
                for mistake in mistakes:  # a known mistake can also give a wrong shape (a `*` for a `@`), or NaN
                    wrong = attempt(mistake.compute, case)
                    if wrong is not None and np.shape(wrong) == numbers.shape and close(numbers, wrong, nan=True) \
                            and not close(wrong, expected):
                        return mistake.message
            return problem
        difference = compare(array, np.asarray(expected), symbol)
        if difference is None:
            return None
        for mistake in mistakes:
            wrong = attempt(mistake.compute, case)
            if wrong is not None and close(array, wrong) and not close(wrong, expected):
                return mistake.message
        return (unchanged(array, np.asarray(expected), symbol, case) or rounding(array, np.asarray(expected), symbol)
                or difference + " Compare your code with the equation term by term.")

    return diagnose


def several(symbols: Sequence[str], mistakes: Sequence[Mistake], hint: str, source: str = "lstm_book"):
    """The diagnosis of a function with several results, a tuple in the order `symbols`: how many came, each
    one's shape and values (as `single` judges one), then the known mistakes, then the order."""
    n, listed = len(symbols), ", ".join(symbols)

    def diagnose(got, expected, case):
        expected = tuple(np.asarray(e) for e in expected)
        if not isinstance(got, (tuple, list)) or len(got) != n:
            if isinstance(got, np.ndarray) and got.ndim and got.shape[0] == n and got.shape[1:] == expected[0].shape:
                return (f"it returned one array with the {n} results stacked: return them as {n} values, "
                        f"`return {listed}`.")
            return f"it should return {n} values, ({listed}), with `return {listed}`; it returned {what_came(got)}."
        numbers = [as_numbers(g) for g in got]
        if not agree(numbers, expected):
            for mistake in mistakes:  # also those that give a wrong shape (a batch axis left in a bias gradient)
                wrong = attempt(mistake.compute, case)
                if isinstance(wrong, tuple) and agree(numbers, wrong, nan=True) and not agree(expected, wrong):
                    return mistake.message
        arrays = []
        for symbol, g, e in zip(symbols, got, expected):
            array, problem = as_result(g, e, symbol, hint)
            if problem:
                return problem
            arrays.append(array)
        order = [next((j for j, e in enumerate(expected) if close(a, e)), None) for a in arrays]
        if None not in order and sorted(order) == list(range(n)) and order != list(range(n)):
            return (f"it returned ({', '.join(symbols[j] for j in order)}): return them in the order "
                    f"({listed}).")
        for symbol, array, e in zip(symbols, arrays, expected):
            difference = compare(array, e, symbol, source)
            if difference:  # nothing in the catalogue: the quantity, the first index, the two values
                return unchanged(array, e, symbol, case) or rounding(array, e, symbol) or difference
        return None

    return diagnose


def keyed(keys: Sequence[str], mistakes: Sequence[Mistake], hint: str, *, what: str, exact: bool,
          differ: str, source: str):
    """The diagnosis of a function that returns a dict of arrays: the keys `keys` (more are allowed unless
    `exact`), each value's shape and numbers, the known mistakes; else which values differ, and the first
    difference. `what` names the dict that was asked for, `differ` begins the sentence listing the values that
    differ."""

    def diagnose(got, expected, case):
        keys_ = list(expected) if exact else list(keys)
        if not isinstance(got, dict):
            return f"it should return a dict with {what}; it returned {what_came(got)}."
        missing = [k for k in keys_ if k not in got]
        extra = sorted(map(str, set(got) - set(keys_))) if exact else []
        if missing or extra:
            return (f"return a dict with {what}; "
                    + "; ".join(([f"missing: {missing}"] if missing else []) + ([f"not expected: {extra}"] if extra else []))
                    + "." + (" Take the keys from the argument (`for name, g in grads.items()`), never write them "
                             "out: another network's gradients have other names." if missing and extra else ""))
        numbers = [as_numbers(got[k]) for k in keys_]
        wanted = [np.asarray(expected[k]) for k in keys_]
        if not agree(numbers, wanted):
            for mistake in mistakes:
                wrong = attempt(mistake.compute, case)
                if isinstance(wrong, dict) and set(keys_) <= set(wrong):
                    wrong = [wrong[k] for k in keys_]
                    if agree(numbers, wrong, nan=True) and not agree(wanted, wrong):
                        return mistake.message
        arrays = []
        for k, want in zip(keys_, wanted):
            array, problem = as_result(got[k], want, str(k), hint)
            if problem:
                return problem
            arrays.append(array)
        wrong = [k for k, a, want in zip(keys_, arrays, wanted) if not close(a, want)]
        if not wrong:
            return None
        k = wrong[0]
        first = compare(arrays[keys_.index(k)], wanted[keys_.index(k)], str(k), source)
        return f"{differ}: {', '.join(map(str, wrong))}. {first}"

    return diagnose


def as_floats(diagnose):
    """A diagnosis for counts: integer results (a count is a whole number) are judged as floats."""
    def floats(value):
        if isinstance(value, dict):
            return {k: floats(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return type(value)(floats(v) for v in value)
        kind = getattr(np.asarray(value) if isinstance(value, (int, np.integer, np.ndarray)) else None, "dtype", None)
        return np.asarray(value, dtype=float) if kind is not None and kind.kind in "iu" else value

    return lambda got, expected, case: diagnose(floats(got), expected, case)
