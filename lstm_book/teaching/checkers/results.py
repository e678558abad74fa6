"""What the reader's function returned, judged and put into words.

`as_result` says whether a result can be compared at all (None, a string, a tuple, a function, the wrong shape or
dtype, a value that is not finite: each gets its sentence); `close` and `compare` judge it against the package's,
`rounding` notices a right answer cut short; `as_numbers`, `agree` and `what_came` serve the diagnoses of several
results. `show` and `shape_words` put a value and a case into a few words, for every message of the checkers.

Agreement is judged at float32 precision (relative 2e-5, absolute 2e-6): a correct implementation computed in
float32, or with an equivalent formula (σ(z) = e^z / (1 + e^z), 0.5·tanh(z/2) + 0.5, ...), passes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from lstm_book.cell import LSTMParams

#: Tolerances of every comparison: float32 precision, so that a float32 implementation passes.
RTOL, ATOL = 2e-5, 2e-6


# ------------------------------------------------------------------------------------------------ words

def show(value, limit: int = 60) -> str:
    """repr of anything the reader gave us, cut short; never raises."""
    try:
        text = repr(value)
    except Exception:
        text = f"<a {type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _two_numbers(a: float, b: float) -> tuple[str, str]:
    """a and b printed with just enough digits to tell them apart (never two equal-looking numbers)."""
    for digits in range(6, 18):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            return left, right
    return repr(float(a)), repr(float(b))


def shape_words(case: dict) -> str:
    """The inputs of a case in a few words: each array's shape (and float32), a dict's or a trace's arrays, a
    number's value, a text (cut short); parameters (an `LSTMParams`) by their sizes D and H, a trace by its length T."""
    words = []
    for name, value in case.items():
        if isinstance(value, np.ndarray):
            words.append(f"{name} {np.shape(value)}" + (" float32" if value.dtype == np.float32 else ""))
        elif isinstance(value, dict):
            words.append(f"{name} {{" + ", ".join(f"{k!r}: {np.shape(v)}" for k, v in value.items()) + "}")
        elif isinstance(value, LSTMParams):
            H, D = np.shape(value.W_xi)
            words.append(f"{name} with D = {D}, H = {H}")
        elif isinstance(value, tuple) and hasattr(value, "_fields") and np.ndim(value[0]):
            words.append(f"{name} of T = {np.shape(value[0])[0]} steps")
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            words.append(f"{name} = {value:g}")
        elif isinstance(value, str):
            words.append(f"{name} = {show(value, 40)}")
    return ", ".join(words)


def _index(k) -> str:
    return "[" + ", ".join(str(int(i)) for i in k) + "]"


# ------------------------------------------------------------------------------------------------ results

def close(a, b, nan: bool = False) -> bool:
    """a and b agree at float32 precision (`nan`: NaN matches NaN, for a mistake whose own result is NaN)."""
    try:
        with np.errstate(all="ignore"):
            return np.shape(a) == np.shape(b) and bool(np.all(np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=nan)))
    except Exception:
        return False


def as_result(got, want: np.ndarray, symbol: str, hint: str, many: bool = False):
    """(array, None) when `got` can be compared with `want`, else (None, what is wrong with it, in words)."""
    if got is None:
        return None, f"it returned None for {symbol}: did you forget the `return`?"
    if isinstance(got, (str, bytes)):
        return None, f"it returned a string, {show(got)}, where {symbol} should be an array of numbers."
    if isinstance(got, dict):
        return None, f"it returned a dict ({show(got)}), where {symbol} should be an array of numbers."
    if type(got) in (int, float) and want.shape != ():
        return None, (f"it returned a plain Python {type(got).__name__}, {show(got)}, but {symbol} should have shape "
                      f"{want.shape}, an array: was everything added up (sum), or the result converted with float(), "
                      f"int() or .item(), or computed with math.exp / math.tanh on one number?")
    if isinstance(got, np.matrix):
        return None, (f"it returned an np.matrix: use plain numpy arrays (np.array). A matrix is always 2-D and "
                      f"its `*` is a matrix product, not the elementwise ⊙.")
    if isinstance(got, (tuple, list)) and not many:
        if len(got) == 1:
            return None, (f"it returned a {type(got).__name__} with one element, not the array {symbol} itself: "
                          f"is there a comma after `return ...`, or brackets around the result?")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                as_array = np.asarray(got, dtype=float)
        except Exception:
            as_array = None
        if as_array is not None and as_array.shape == want.shape:
            return None, (f"it returned a Python {type(got).__name__}; return a numpy array (build the result "
                          f"from numpy operations, or wrap it in np.array(...) or np.stack(...)).")
        if any(isinstance(g, (np.ndarray, np.generic)) for g in got) or want.shape == ():
            return None, (f"it returned {len(got)} values ({type(got).__name__}); return only the array {symbol}.")
    if callable(got) and not isinstance(got, np.ndarray):
        return None, f"it returned a function ({show(got)}): did you forget to call it, with (...)?"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(got)
    except Exception as exc:
        return None, f"its result for {symbol} cannot be read as an array ({type(exc).__name__}: {show(str(exc), 120)})."
    kind = array.dtype.kind
    if kind == "b":
        return None, (f"its {symbol} is True/False values (dtype bool): a comparison (<, >, ==) where a number "
                      f"should be computed?")
    if kind == "c":
        return None, f"its {symbol} has complex numbers (dtype {array.dtype}); the equation gives real numbers."
    if kind not in "iuf":
        return None, (f"its {symbol} is not an array of numbers: it returned {show(got)} "
                      f"({type(got).__name__}, dtype {array.dtype}).")
    if kind == "f" and array.dtype.itemsize < 4:
        return None, f"its {symbol} is {array.dtype}, too imprecise: compute in float64 (or float32)."
    if array.shape != want.shape:
        return None, _shape_problem(array.shape, want.shape, symbol, hint)
    if kind in "iu":
        return None, (f"its {symbol} has integer dtype {array.dtype}, so the fractions are cut off: was an "
                      f"array made with np.zeros_like of an integer array, or converted with int / astype(int)?")
    bad = ~np.isfinite(array)
    if np.any(bad):
        k = tuple(np.argwhere(bad)[0])
        return None, (f"its {symbol} has {array[k]} at index {_index(k)}: an overflow (np.exp of a large number) "
                      f"or a division by zero? The equation gives a finite number there.")
    return array, None


def _shape_problem(got: tuple, want: tuple, symbol: str, hint: str) -> str:
    words = f"its {symbol} has shape {got}, but should have shape {want}."
    if len(got) == len(want) == 2 and got == want[::-1]:
        words += " It is transposed: a batch has one row per sequence, (B, H)."
    elif len(got) == len(want) + 1 and (got[1:] == want or got[:-1] == want) and got[0 if got[1:] == want else -1] \
            not in want:
        n = got[0] if got[1:] == want else got[-1]
        words += (f" That is one axis too many, of size {n}, {'in front' if got[1:] == want else 'at the end'}: "
                  f"{n} arrays of the right shape put together (np.stack, np.array of a list, a list of the results "
                  f"of a loop) where one array belongs.")
    elif len(got) == len(want) + 1:
        words += (" That is one axis too many: numpy broadcasting has combined a row with a column. Check that "
                  "every term has the shape of the result: a bias reshaped to a column (b[:, None]), an input "
                  "reshaped with .reshape(-1, 1), or a `*` between a matrix and a vector where `@` belongs, makes "
                  "a matrix.")
    elif got in ((), (1,)) and want not in ((), (1,)):
        words += (" That is a single number: did you add everything up (np.sum, or np.dot / @ of two vectors "
                  "where one vector is elementwise ⊙)?")
    elif len(got) == len(want) - 1 and 1 in want:
        words += (" An axis of size 1 is missing: np.squeeze, .ravel(), .flatten(), .item() or an index [0] drops "
                  "it; a batch of one row is still a batch, (1, H).")
    elif len(got) == len(want) - 1:
        words += " An axis is missing: was the batch summed, or only one row computed?"
    elif len(got) == len(want) and got[-1] != want[-1] and got[:-1] == want[:-1]:
        words += " The last axis (the H units) has the wrong size: are the weights transposed?"
    return words + " " + hint


def rounding(got: np.ndarray, want: np.ndarray, symbol: str) -> str | None:
    """Words when `got` is `want` with its fractions cut: whole numbers, or rounded to a few decimals."""
    if close(got, want):
        return None
    with np.errstate(all="ignore"):
        if any(np.array_equal(got, cut(want)) for cut in (np.floor, np.round, np.trunc, np.ceil)):
            return (f"your {symbol} has only whole numbers ({show(got)}) where the equation has fractions: is there "
                    f"a `//` (floor division) where `/` belongs, an int(), np.round or np.floor, or an array made with "
                    f"np.zeros that was never filled in?")
        for digits in range(1, 6):
            if close(got, np.round(want, digits)):
                return (f"your {symbol} is the right one rounded to {digits} decimals: return it unrounded (round "
                        f"only when you print, e.g. np.round(x, 3) or f\"{{x:.3f}}\").")
    return None


def compare(got: np.ndarray, want: np.ndarray, symbol: str, source: str = "the equation") -> str | None:
    """None when they agree; else the first index that differs and both values."""
    close = np.isclose(got, want, rtol=RTOL, atol=ATOL)
    if np.all(close):
        return None
    k = tuple(np.argwhere(~close)[0]) if got.ndim else ()
    yours, expected = _two_numbers(float(got[k]), float(want[k]))
    where = f"{symbol}{_index(k)}" if k else symbol
    count = int(np.size(close) - np.count_nonzero(close))
    return (f"{where} is {yours} in yours but {expected} from {source} ({count} of {np.size(close)} numbers "
            f"differ).")


def unchanged(got: np.ndarray, want: np.ndarray, symbol: str, case: dict) -> str | None:
    """Words when `got` is one of the case's inputs returned as it came (a moment never updated, a state copied
    through), and that input is not the answer."""
    for name, value in case.items():
        if isinstance(value, np.ndarray) and value.shape == got.shape and not close(value, want) \
                and np.array_equal(np.asarray(value, dtype=float), np.asarray(got, dtype=float)):
            return (f"your {symbol} is the input `{name}` exactly as it came in: it was never updated. Compute the "
                    f"new {symbol} from it and return that.")
    return None


# ------------------------------------------------------------------------------------------------ several results

def as_numbers(value):
    """`value` as a float array, or None when it is not numbers; never raises."""
    if value is None or isinstance(value, (str, bytes, dict)):
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return np.asarray(value, dtype=float)
    except Exception:
        return None


def agree(got: Sequence, wanted, nan: bool = False) -> bool:
    """Every one of several results is close to the matching one of `wanted` (a tuple, or a dict when `got` is
    the list of its values in `keys` order); `nan`: NaN matches NaN."""
    try:
        return len(got) == len(wanted) and all(g is not None and close(g, w, nan) for g, w in zip(got, wanted))
    except Exception:
        return False


def what_came(got) -> str:
    """What a function returned, in a few words, for a reader who was asked for something else."""
    if got is None:
        return "None (did you forget the `return`?)"
    if isinstance(got, (tuple, list)):
        return f"a {type(got).__name__} of {len(got)} value{'s' * (len(got) != 1)}"
    if isinstance(got, np.ndarray):
        return f"one array of shape {got.shape}"
    if isinstance(got, dict):
        return f"a dict ({show(got)})"
    if isinstance(got, (str, bytes)):
        return f"a string, {show(got)}"
    return f"{show(got)} (a {type(got).__name__})"
