"""Checkers for the exercises: run the reader's function against `lstm_book` and say what is wrong.

Each checker calls the reader's function on several cases (square and non-square weights, one vector and a
batch of rows, a batch of one row, the one-unit cell, saturated gates, float64 and float32, every parameter
drawn at random, and the first shapes again with new numbers), compares with the package, and on a
mismatch compares the reader's answer with the mistakes people actually make (σ and tanh swapped, ReLU, a sign
error, x_t and h_{t-1} swapped, weights transposed, the bias left out or subtracted, one gate used twice, ...).
When no known mistake matches, the message names the quantity, the first index that differs and both values.

A checker never raises: whatever the reader's function returns (None, a string, a tuple, the wrong shape) or
raises becomes a sentence. It also notices a function that changes its input arrays in place, one that prints
its result instead of returning it, and one that never finishes (it is stopped after `TIME_LIMIT` seconds).
The answer is a `Feedback`: ``correct`` is True or False and ``message`` says, in words, what to look at.

The runner (`_check`) and the diagnoses of one result (`_single`), of several (`_several`, a tuple) and of a dict
of arrays (`_keyed`) also serve the checkers of Parts II and III, `lstm_book.exercises_backward` and
`lstm_book.exercises_training`, whose inputs can also be numbers, dicts of arrays, parameters and traces.

Agreement is judged at float32 precision (relative 2e-5, absolute 2e-6): a correct implementation computed in
float32, or with an equivalent formula (σ(z) = e^z / (1 + e^z), 0.5·tanh(z/2) + 0.5, ...), passes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import io
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lstm_book.cell import LSTMParams, Step, init_params, lstm_step
from lstm_book.equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate, sigmoid

__all__ = [
    "Feedback",
    "check_hidden_state",
    "check_output_gate",
    "check_cell_state",
    "check_forget_gate",
    "check_input_gate",
    "check_input_state",
    "check_lstm_step",
]

#: Tolerances of every comparison: float32 precision, so that a float32 implementation passes.
RTOL, ATOL = 2e-5, 2e-6

#: Seconds one call of the reader's function may take (the cases are tiny): longer is an endless loop.
TIME_LIMIT = 5.0


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: `correct`, and a `message` for the reader."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("✔ Correct. " if self.correct else "✘ Not yet. ") + self.message

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return ("**✔ Correct.** " if self.correct else "**✘ Not yet.** ") + self.message


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of an equation and what to tell a reader whose answer matches it."""

    compute: Callable[..., object]
    message: str


# ------------------------------------------------------------------------------------------------ words

def _show(value, limit: int = 60) -> str:
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


def _shape_words(case: dict) -> str:
    """The inputs of a case in a few words: each array's shape (and float32), a dict's or a trace's arrays, a
    number's value; parameters (an `LSTMParams`) by their sizes D and H, a trace by its length T."""
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
    return ", ".join(words)


def _index(k) -> str:
    return "[" + ", ".join(str(int(i)) for i in k) + "]"


# ------------------------------------------------------------------------------------------------ results

def _close(a, b) -> bool:
    try:
        return np.shape(a) == np.shape(b) and bool(np.all(np.isclose(a, b, rtol=RTOL, atol=ATOL)))
    except Exception:
        return False


def _as_result(got, want: np.ndarray, symbol: str, hint: str, many: bool = False):
    """(array, None) when `got` can be compared with `want`, else (None, what is wrong with it, in words)."""
    if got is None:
        return None, f"it returned None for {symbol}: did you forget the `return`?"
    if isinstance(got, (str, bytes)):
        return None, f"it returned a string, {_show(got)}, where {symbol} should be an array of numbers."
    if isinstance(got, dict):
        return None, f"it returned a dict ({_show(got)}), where {symbol} should be an array of numbers."
    if type(got) in (int, float) and want.shape != ():
        return None, (f"it returned a plain Python {type(got).__name__}, {_show(got)}, but {symbol} should have shape "
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
        if any(isinstance(g, np.ndarray) for g in got):
            return None, (f"it returned {len(got)} values ({type(got).__name__}); return only the array {symbol}.")
    if callable(got) and not isinstance(got, np.ndarray):
        return None, f"it returned a function ({_show(got)}): did you forget to call it, with (...)?"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(got)
    except Exception as exc:
        return None, f"its result for {symbol} cannot be read as an array ({type(exc).__name__}: {_show(str(exc), 120)})."
    kind = array.dtype.kind
    if kind == "b":
        return None, (f"its {symbol} is True/False values (dtype bool): a comparison (<, >, ==) where a number "
                      f"should be computed?")
    if kind == "c":
        return None, f"its {symbol} has complex numbers (dtype {array.dtype}); the equation gives real numbers."
    if kind not in "iuf":
        return None, (f"its {symbol} is not an array of numbers: it returned {_show(got)} "
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


def _rounded(got: np.ndarray, want: np.ndarray, symbol: str) -> str | None:
    """Words when `got` is `want` with its fractions cut: whole numbers, or rounded to a few decimals."""
    if _close(got, want):
        return None
    with np.errstate(all="ignore"):
        if any(np.array_equal(got, cut(want)) for cut in (np.floor, np.round, np.trunc, np.ceil)):
            return (f"your {symbol} has only whole numbers ({_show(got)}) where the equation has fractions: is there "
                    f"a `//` (floor division) where `/` belongs, an int(), np.round or np.floor, or an array made with "
                    f"np.zeros that was never filled in?")
        for digits in range(1, 6):
            if _close(got, np.round(want, digits)):
                return (f"your {symbol} is the right one rounded to {digits} decimals: return it unrounded (round "
                        f"only when you print, e.g. np.round(x, 3) or f\"{{x:.3f}}\").")
    return None


def _compare(got: np.ndarray, want: np.ndarray, symbol: str, source: str = "the equation") -> str | None:
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


# ------------------------------------------------------------------------------------------------ running

@dataclass
class _Outcome:
    number: int
    case: dict
    got: object = None
    error: BaseException | None = None
    mutated: list[str] = field(default_factory=list)
    numpy_warnings: list[str] = field(default_factory=list)
    printed: bool = False


def _copy(value):
    """A copy the reader's function may do anything with: arrays, and the arrays inside a dict or a trace."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, LSTMParams):
        return value.replace()  # a fresh read-only copy
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a Trace, a Step
        return type(value)(*(_copy(v) for v in value))
    return value  # numbers, strings: immutable


def _changed(label: str, before, after) -> list[str]:
    """The inputs (as `name`, `name['key']` or `name.field`) that the call changed: `after` is the copy the reader's
    function received, `before` the checker's untouched original."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return [label]
        try:
            same = np.array_equal(after, before, equal_nan=True)
        except TypeError:
            same = np.array_equal(after, before)
        return [] if same else [label]
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            return [label]
        return [c for k in before for c in _changed(f"{label}[{k!r}]", before[k], after[k])]
    if isinstance(before, tuple) and hasattr(before, "_fields"):
        return [c for name, b, a in zip(before._fields, before, after) for c in _changed(f"{label}.{name}", b, a)]
    return []


class _TookTooLong(BaseException):
    """Raised inside the reader's function when it runs past `TIME_LIMIT` (a BaseException, so that an
    `except Exception` in the reader's loop cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after `seconds` (where the platform has SIGALRM and this is the main thread);
    a timer that was already running (pytest-timeout's) is given back its remaining time afterwards."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _TookTooLong

    handler = signal.signal(signal.SIGALRM, stop)
    start = time.monotonic()
    before, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, handler)
        if before:
            signal.setitimer(signal.ITIMER_REAL, max(before - (time.monotonic() - start), 1e-3))


class _Tee(io.StringIO):
    """stdout that still shows what the reader prints, and remembers that something was printed."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text):
        with contextlib.suppress(Exception):
            self.stream.write(text)
        return super().write(text)


def _run(function, number: int, case: dict) -> _Outcome:
    """Call the reader's function on copies of the case; record the result, any exception, changed inputs,
    and whether it printed."""
    copies = {name: _copy(value) for name, value in case.items()}
    outcome = _Outcome(number, case)
    output = _Tee(sys.stdout)
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(output):
        warnings.simplefilter("always")
        with np.errstate(all="warn", under="ignore"):
            try:
                with _time_limit(TIME_LIMIT):
                    outcome.got = function(*copies.values())
            except (KeyboardInterrupt, GeneratorExit):
                raise
            except BaseException as exc:  # the reader's code can fail in any way: explain, don't crash
                outcome.error = exc
    outcome.printed = bool(output.getvalue().strip())
    outcome.numpy_warnings = sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})
    for name, value in case.items():
        outcome.mutated += _changed(name, value, copies[name])
    return outcome


def _reference(function, case: dict):
    with np.errstate(all="ignore"):
        return function(*(_copy(v) for v in case.values()))


def _try(mistake: Callable, case: dict):
    """A mistake's result on a case, or None when that mistake cannot be computed with these shapes."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return mistake(*case.values())
    except Exception:
        return None


def _signature_problem(function, title: str, names: Sequence[str]) -> str | None:
    """Words when the reader's function cannot take the checker's arguments, or takes them in another order."""
    try:
        signature = inspect.signature(function)
    except Exception:  # builtins without a signature, and stranger callables: just call them
        return None
    call = f"{title}({', '.join(names)})"
    try:
        signature.bind(*names)
    except TypeError:
        return (f"Your function is defined as {signature}, but the checker calls it as {call}, with "
                f"{len(names)} arguments by position: give it these {len(names)} arguments, in this order.")
    positional = [p.name for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][: len(names)]
    if len(positional) == len(names) and sorted(positional) == sorted(names) and positional != list(names):
        return (f"Your function takes its arguments in the order ({', '.join(positional)}), but the checker (and "
                f"the book) calls it as {call}: put them in that order.")
    return None


#: What an error message of Python or numpy means in a reader's function: (exception type, words in it, advice).
_ERROR_ADVICE = [
    (TypeError, ("only 0-dimensional arrays", "only length-1 arrays", "only size-1 arrays"),
     "math.exp, math.tanh, float() and int() take one number, not an array: use np.exp, np.tanh, which work "
     "elementwise on whole arrays."),
    (TypeError, ("'LSTMParams' object is not subscriptable",),
     "params is an LSTMParams: read its arrays as attributes, params.W_xi, params.b_f, not params['W_xi']."),
    (AttributeError, ("'LSTMParams' object has no attribute",),
     "The arrays of params are named as in the equations: params.W_xi, params.W_hi, params.b_i, and the same "
     "with j, f and o (W_x? multiplies x_t, W_h? multiplies h_(t-1))."),
    (NameError, ("'sigmoid'", "'sig'", "'σ'"),
     "Define the sigmoid yourself (def sigmoid(z): return 1 / (1 + np.exp(-z))) or import the book's: "
     "`from lstm_book import sigmoid`."),
    (NameError, ("'np'",), "Import numpy first: `import numpy as np`."),
    (NameError, ("",), "Run the cell that defines that name (or import it) before checking."),
    (RecursionError, ("",), "Your function calls itself without end: does it call a function with its own name "
                            "(e.g. `def sigmoid(z): return sigmoid(z)`)?"),
]


def _raised(title: str, outcome: _Outcome, hint: str) -> str:
    exc = outcome.error
    if isinstance(exc, _TookTooLong):
        return (f"Your {title} did not finish within {TIME_LIMIT:g} seconds on inputs {_shape_words(outcome.case)}, "
                f"which take a computer microseconds: is there a loop that never ends (a `while` whose condition "
                f"stays true, or a loop over a list that grows)?")
    if isinstance(exc, dataclasses.FrozenInstanceError) or "read-only" in str(exc):
        return (f"Your {title} tried to change the parameters in place ({type(exc).__name__}: {_show(str(exc), 80)}). "
                f"LSTMParams is read-only: compute new arrays (e.g. `z = ... + params.b_f`), never `params.b_f += ...`.")
    words = (f"Your {title} raised {type(exc).__name__}: {_show(str(exc), 160)} (on inputs {_shape_words(outcome.case)}).")
    text = str(exc)
    if isinstance(exc, (ValueError, TypeError)) and any(k in text for k in ("matmul", "broadcast", "shape", "align", "operand")):
        return words + " That is a shape mismatch. " + hint
    for kind, fragments, advice in _ERROR_ADVICE:
        if isinstance(exc, kind) and any(f in text for f in fragments):
            return f"{words} {advice}"
    return words


def _check(title: str, function, reference, cases: Sequence[dict], diagnose, names: Sequence[str],
           hint: str, covered: str, *, batched: Callable[[dict], bool] | None = None,
           passed: str | None = None) -> Feedback:
    """Run the reader's `function` on every case and turn what happened into one Feedback.

    The one runner of every checker of the book (Parts I to III). Each case is a dict of the arguments, in the
    order of `names` (arrays, numbers, dicts of arrays, an `LSTMParams`, a trace); the reader's function gets
    copies, and an input it changes is named. diagnose(got, expected, case) -> None when `got` is right, else the
    words that say what is wrong (`_single`, `_several`, `_keyed` make one). `covered` says, for the verdict
    "correct", what the cases were (or `passed` is that whole verdict); `batched(case)` says whether a case is a
    batch, for "right for one vector but not for a batch" (default: the first argument is 2-D; `_no_batches`:
    the checker's cases make no such distinction).
    """
    if not callable(function):
        return Feedback(False, f"Pass your function itself (without calling it), e.g. check(my_function); got {_show(function)}.")
    if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
        how = "`async def`" if inspect.iscoroutinefunction(function) else "a `yield`"
        return Feedback(False, f"Your {title} is written with {how}, so calling it does not run it: write a plain "
                               f"`def` that computes the result and returns it with `return`.")
    problem = _signature_problem(function, title, names)
    if problem:
        return Feedback(False, problem)
    outcomes, verdicts, structural = [], [], []
    for number, case in enumerate(cases, start=1):
        outcome = _run(function, number, case)
        if isinstance(outcome.error, NotImplementedError):
            return Feedback(False, f"Your {title} is not written yet: replace `raise NotImplementedError` with your code.")
        if isinstance(outcome.error, _TookTooLong):
            return Feedback(False, _raised(title, outcome, hint))
        expected = _reference(reference, case)
        if outcome.error is not None:
            verdict = _raised(title, outcome, hint)
        elif outcome.got is None and outcome.printed:
            verdict = (f"Your {title} printed its result but returned None: the checker (and the code that calls "
                       f"your function) needs it returned. Replace `print(...)` with `return ...`.")
        else:
            try:
                verdict = diagnose(outcome.got, expected, case)
            except Exception as exc:  # a result so strange that the diagnosis failed: still say something
                verdict = f"its result ({_show(outcome.got)}) could not be compared ({type(exc).__name__}: {exc})."
            if verdict is not None and not verdict.startswith("Your"):
                verdict = f"On case {number} ({_shape_words(case)}): {verdict}"
            if verdict is not None and outcome.numpy_warnings:
                verdict += f" (numpy warned: {'; '.join(outcome.numpy_warnings)}.)"
        outcomes.append(outcome)
        verdicts.append(verdict)
        structural.append(verdict is not None and _structural(outcome, expected))

    changed = sorted({name for o in outcomes for name in o.mutated}, key=lambda n: (_base_index(n, names), n))
    if changed:
        which = ", ".join(f"`{n}`" for n in changed)
        theirs = [_as_reader_calls_it(n, names, function) for n in changed]
        named = "" if theirs == changed else f"; in your code: {', '.join(f'`{n}`' for n in theirs)}"
        return Feedback(False, (
            f"Your {title} changes its input {which} in place (with `+=`, `*=`, `[...] =` or an `out=` "
            f"argument{named}): the caller's array is modified behind their back, and the next step would read "
            f"wrong values. "
            f"Compute new arrays instead: `a * b` makes a new array, `a *= b` (or `np.tanh(a, out=a)`) overwrites a."
            + ("" if all(v is None for v in verdicts) else " Its results are also wrong: "
               + next(v for v in verdicts if v is not None))))
    failed = [k for k, v in enumerate(verdicts) if v is not None]
    if not failed:
        return Feedback(True, passed or f"Your {title} agrees with lstm_book on all {len(cases)} cases"
                                         + (f": {covered}." if covered else "."))
    outside = _outside_arrays(function)
    if outside:
        verdicts[failed[0]] = (f"Your {title} reads {', '.join(f'`{n}`' for n in outside)} from outside (a variable of "
                               f"the notebook), not from its arguments: use the arguments it is given. "
                               + verdicts[failed[0]])
    batched = [(batched or _is_batch)(c) for c in cases]
    single = [_is_single_precision(c) for c in cases]
    first = verdicts[failed[0]]
    ok = [v is None for v in verdicts]
    if hint in first:
        hint = ""
    # "right for one vector but not for a batch" only when the batches fail by shape (an error, a wrong shape),
    # as vector-only code does; numbers a little off in a batch are a mistake of their own. Only for checkers
    # whose cases have both.
    both = None not in batched and len(set(batched)) == 2
    if both and all(ok[k] for k in range(len(cases)) if not batched[k]) and all(structural[k] for k in failed) \
            and any(batched[k] for k in failed):
        return Feedback(False, f"Your {title} is right for one vector but not for a batch of rows (a leading axis "
                               f"B, one row per sequence). {first} {hint}".rstrip())
    if both and all(ok[k] for k in range(len(cases)) if batched[k]) and all(structural[k] for k in failed) \
            and any(not batched[k] for k in failed):
        return Feedback(False, f"Your {title} is right for a batch of rows but not for one vector (1-D arrays, "
                               f"no batch axis). {first} {hint}".rstrip())
    if all(single[k] for k in failed):
        return Feedback(False, f"Your {title} is right in float64 but not for float32 inputs. {first}")
    return Feedback(False, first)


def _outside_arrays(function) -> list[str]:
    """The global names the function's code reads that hold arrays or parameters (a notebook's `params` or `W_xo`
    used where an argument belongs)."""
    code, names = getattr(function, "__code__", None), getattr(function, "__globals__", {})
    read, codes = [], [code] if code is not None else []
    while codes:  # the function and the comprehensions and lambdas inside it
        code = codes.pop()
        read += [n for n in code.co_names if isinstance(names.get(n), (np.ndarray, LSTMParams)) and n not in read]
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    return read


def _base_index(label: str, names: Sequence[str]) -> int:
    """The position of the argument that `label` (`grads['W']`, `trace.h`, `x_t`) is part of."""
    base = label.split("[")[0].split(".")[0]
    return list(names).index(base) if base in names else len(names)


def _as_reader_calls_it(label: str, names: Sequence[str], function) -> str:
    """The input `label` (`x_t`, `grads['W']`) as the reader's function names it (`x`, `g['W']`)."""
    k = _base_index(label, names)
    try:
        parameters = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return parameters[k].name + label[len(names[k]):]
    except Exception:  # no signature, *args, fewer parameters: the book's name is all there is
        return label


def _structural(outcome: _Outcome, expected) -> bool:
    """The call failed by an exception or a wrong shape (what vector-only or batch-only code does), not by
    numbers that differ."""
    if outcome.error is not None:
        return True
    got, want = outcome.got, expected
    if isinstance(want, Step):
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return True
        got, want = list(got), [want.h, want.c]
    elif isinstance(want, dict):
        if not isinstance(got, dict) or not set(want) <= set(got):
            return True
        got, want = [got[k] for k in want], list(want.values())
    elif isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return True
        got, want = list(got), list(want)
    else:
        got, want = [got], [want]
    try:
        return any(np.shape(g) != np.shape(w) for g, w in zip(got, want))
    except Exception:
        return True


def _is_batch(case: dict) -> bool:
    """The first argument (x_t, or the first state) has a leading batch axis."""
    return np.ndim(next(iter(case.values()))) == 2


def _no_batches(case: dict) -> None:
    """For `_check(batched=...)`: these cases are neither vectors nor batches (parameters, a loss over (T, B, K))."""
    return None


def _is_single_precision(case: dict) -> bool:
    return any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in case.values())


def _single(symbol: str, mistakes: Sequence[Mistake], hint: str):
    """The diagnosis of a function with one result: its shape and values, then the known mistakes."""

    def diagnose(got, expected, case):
        array, problem = _as_result(got, np.asarray(expected), symbol, hint)
        if array is None:
            numbers = None if isinstance(got, (tuple, list)) else _numbers(got)
            if numbers is not None and numbers.shape != np.shape(expected):
                for mistake in mistakes:  # a known mistake can also produce a wrong shape (a `*` for a `@`)
                    wrong = _try(mistake.compute, case)
                    if wrong is not None and np.shape(wrong) == numbers.shape and _close(numbers, wrong):
                        return mistake.message
            return problem
        difference = _compare(array, np.asarray(expected), symbol)
        if difference is None:
            return None
        for mistake in mistakes:
            wrong = _try(mistake.compute, case)
            if wrong is not None and _close(array, wrong) and not _close(wrong, expected):
                return mistake.message
        return _rounded(array, np.asarray(expected), symbol) or difference + " Compare your code with the equation term by term."

    return diagnose


def _numbers(value):
    """`value` as a float array, or None when it is not numbers; never raises."""
    if value is None or isinstance(value, (str, bytes, dict)):
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return np.asarray(value, dtype=float)
    except Exception:
        return None


def _agree(got: Sequence, wanted) -> bool:
    """Every one of several results is close to the matching one of `wanted` (a tuple, or a dict when `got` is
    the list of its values in `keys` order)."""
    try:
        return len(got) == len(wanted) and all(g is not None and _close(g, w) for g, w in zip(got, wanted))
    except Exception:
        return False


def _what_came(got) -> str:
    """What a function returned, in a few words, for a reader who was asked for something else."""
    if got is None:
        return "None (did you forget the `return`?)"
    if isinstance(got, (tuple, list)):
        return f"a {type(got).__name__} of {len(got)} value{'s' * (len(got) != 1)}"
    if isinstance(got, np.ndarray):
        return f"one array of shape {got.shape}"
    if isinstance(got, dict):
        return f"a dict ({_show(got)})"
    if isinstance(got, (str, bytes)):
        return f"a string, {_show(got)}"
    return f"{_show(got)} (a {type(got).__name__})"


def _several(symbols: Sequence[str], mistakes: Sequence[Mistake], hint: str, source: str = "lstm_book"):
    """The diagnosis of a function with several results, a tuple in the order `symbols`: how many came, each
    one's shape and values (as `_single` judges one), then the known mistakes, then the order."""
    n, listed = len(symbols), ", ".join(symbols)

    def diagnose(got, expected, case):
        expected = tuple(np.asarray(e) for e in expected)
        if not isinstance(got, (tuple, list)) or len(got) != n:
            if isinstance(got, np.ndarray) and got.ndim and got.shape[0] == n and got.shape[1:] == expected[0].shape:
                return (f"it returned one array with the {n} results stacked: return them as {n} values, "
                        f"`return {listed}`.")
            return f"it should return {n} values, ({listed}), with `return {listed}`; it returned {_what_came(got)}."
        numbers = [_numbers(g) for g in got]
        if not _agree(numbers, expected):
            for mistake in mistakes:  # also those that give a wrong shape (a batch axis left in a bias gradient)
                wrong = _try(mistake.compute, case)
                if isinstance(wrong, tuple) and _agree(numbers, wrong) and not _agree(expected, wrong):
                    return mistake.message
        arrays = []
        for symbol, g, e in zip(symbols, got, expected):
            array, problem = _as_result(g, e, symbol, hint)
            if problem:
                return problem
            arrays.append(array)
        order = [next((j for j, e in enumerate(expected) if _close(a, e)), None) for a in arrays]
        if None not in order and sorted(order) == list(range(n)) and order != list(range(n)):
            return (f"it returned ({', '.join(symbols[j] for j in order)}): return them in the order "
                    f"({listed}).")
        for symbol, array, e in zip(symbols, arrays, expected):
            difference = _compare(array, e, symbol, source)
            if difference:
                return _rounded(array, e, symbol) or f"{difference} {hint}"
        return None

    return diagnose


def _keyed(keys: Sequence[str], mistakes: Sequence[Mistake], hint: str, *, what: str, exact: bool,
           differ: str, source: str):
    """The diagnosis of a function that returns a dict of arrays: the keys `keys` (more are allowed unless
    `exact`), each value's shape and numbers, the known mistakes; else which values differ, and the first
    difference. `what` names the dict that was asked for, `differ` begins the sentence listing the values that
    differ."""

    def diagnose(got, expected, case):
        keys_ = list(expected) if exact else list(keys)
        if not isinstance(got, dict):
            return f"it should return a dict with {what}; it returned {_what_came(got)}."
        missing = [k for k in keys_ if k not in got]
        extra = sorted(map(str, set(got) - set(keys_))) if exact else []
        if missing or extra:
            return (f"return a dict with {what}; "
                    + "; ".join(([f"missing: {missing}"] if missing else []) + ([f"not expected: {extra}"] if extra else []))
                    + ".")
        numbers = [_numbers(got[k]) for k in keys_]
        wanted = [np.asarray(expected[k]) for k in keys_]
        if not _agree(numbers, wanted):
            for mistake in mistakes:
                wrong = _try(mistake.compute, case)
                if isinstance(wrong, dict) and set(keys_) <= set(wrong):
                    wrong = [wrong[k] for k in keys_]
                    if _agree(numbers, wrong) and not _agree(wanted, wrong):
                        return mistake.message
        arrays = []
        for k, want in zip(keys_, wanted):
            array, problem = _as_result(got[k], want, str(k), hint)
            if problem:
                return problem
            arrays.append(array)
        wrong = [k for k, a, want in zip(keys_, arrays, wanted) if not _close(a, want)]
        if not wrong:
            return None
        k = wrong[0]
        first = _compare(arrays[keys_.index(k)], wanted[keys_.index(k)], str(k), source)
        return f"{differ}: {', '.join(map(str, wrong))}. {first} {hint}"

    return diagnose


# ------------------------------------------------------------------------------------------------ gates

def _relu(z):
    return np.maximum(z, 0.0)


def _gate_mistakes(g: str) -> list[Mistake]:
    """The known wrong versions of a gate (g in 'o', 'f', 'j') or of the candidate (g = 'i')."""
    Wx, Wh, b = f"W_x{g}", f"W_h{g}", f"b_{g}"
    is_gate = g != "i"
    act = sigmoid if is_gate else np.tanh
    other = np.tanh if is_gate else sigmoid
    other_message = {
        "o": "Values outside (0, 1): did you use tanh where σ belongs? A gate is a fraction between 0 and 1 (how "
             "much of the memory is shown), so the output gate uses the sigmoid σ.",
        "f": "Values outside (0, 1): did you use tanh where σ belongs? The forget gate is the fraction of the old "
             "memory that is kept, a number between 0 and 1: it uses the sigmoid σ.",
        "j": "Values outside (0, 1): you used tanh, the nonlinearity of the input state i_t. In this book's notation "
             "j_t is the input gate (PyTorch calls it i_t): a fraction between 0 and 1, so it uses the sigmoid σ. "
             "Did you mix up i_t and j_t?",
        "i": "Your values are all between 0 and 1: you used σ, the nonlinearity of a gate. The input state i_t is "
             "the candidate value to write (PyTorch's g_t), which must be able to be negative: it uses tanh. Did "
             "you mix up i_t and j_t?",
    }[g]
    name = "σ" if is_gate else "tanh"
    mistakes = [
        Mistake(lambda x, h, W_x, W_h, b_: other(x @ W_x.T + h @ W_h.T + b_), other_message),
        Mistake(lambda x, h, W_x, W_h, b_: x @ W_x.T + h @ W_h.T + b_,
                f"You returned the pre-activation {Wx} x_t + {Wh} h_(t-1) + {b}: the equation applies {name} to that "
                f"sum, so the result is bounded."),
        Mistake(lambda x, h, W_x, W_h, b_: _relu(x @ W_x.T + h @ W_h.T + b_),
                f"Your values are never negative and not bounded: that is ReLU, max(0, z). The equation uses {name}, "
                + ("whose values lie in (0, 1)." if is_gate else "whose values lie in (-1, 1).")),
        Mistake(lambda x, h, W_x, W_h, b_: act(-(x @ W_x.T + h @ W_h.T + b_)),
                ("A sign error inside σ: you computed σ(−z) = 1/(1 + e^(+z)), which is also 1 − σ(z). "
                 "The sigmoid is σ(z) = 1/(1 + e^(−z)): large z gives values near 1.") if is_gate else
                "A sign error: your values are −tanh(z). Check the signs of the three terms and of tanh itself."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_x.T + x @ W_h.T + b_),
                f"You multiplied {Wx} by h_(t-1) and {Wh} by x_t: the input weights {Wx} (shape H×D) go with the "
                f"input x_t, the recurrent weights {Wh} (shape H×H) with the previous hidden state h_(t-1)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_h.T + h @ W_h.T + b_),
                f"You applied the recurrent weights {Wh} to the input x_t as well: x_t goes with the input weights "
                f"{Wx}, h_(t-1) with {Wh}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_x.T + b_),
                f"You applied the input weights {Wx} to h_(t-1) as well: h_(t-1) goes with the recurrent weights "
                f"{Wh}, x_t with {Wx}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_x.T + h @ W_h.T + b_),
                f"You used h_(t-1) twice: the input term is {Wx} x_t, with the current input x_t, not h_(t-1)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + x @ W_h.T + b_),
                f"You used x_t twice: the recurrent term is {Wh} h_(t-1), with the previous hidden state h_prev."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x + h @ W_h + b_),
                f"Your weights are transposed: {Wx} has shape (H, D) and maps the D numbers of x_t to H numbers. "
                f"With x_t as a row vector (numpy's 1-D array, or a batch of rows) that is x_t @ {Wx}.T; "
                f"for a single vector, {Wx} @ x_t is the same."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x + h @ W_h.T + b_),
                f"{Wx} is transposed: with x_t as a row, the product is x_t @ {Wx}.T ({Wh} you have right)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h + b_),
                f"{Wh} is transposed: with h_(t-1) as a row, the product is h_prev @ {Wh}.T ({Wx} you have right)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T),
                f"The bias is left out: add {b} inside the nonlinearity."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T - b_),
                f"The bias is subtracted: the equation adds it, {Wx} x_t + {Wh} h_(t-1) + {b}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T) + b_,
                f"The bias is added after the nonlinearity: {b} belongs inside it, with the two products."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + b_),
                f"The recurrent term is missing: add {Wh} h_(t-1), the previous hidden state's contribution."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_h.T + b_),
                f"The input term is missing: add {Wx} x_t, the current input's contribution."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x * W_x + h * W_h + b_),
                f"You used `*` (elementwise) between a weight matrix and a vector: that makes a matrix. The "
                f"products are matrix products, x_t @ {Wx}.T (or {Wx} @ x_t for a single vector)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T) + act(h @ W_h.T) + act(b_),
                f"You applied {name} to each term separately: it applies once, to the whole sum "
                f"{Wx} x_t + {Wh} h_(t-1) + {b}."),
    ]
    if is_gate:
        mistakes.append(Mistake(lambda x, h, W_x, W_h, b_: 0.5 * np.tanh(x @ W_x.T + h @ W_h.T + b_) + 0.5,
                                "You computed 0.5·tanh(z) + 0.5, which is σ(2z): the identity is "
                                "σ(z) = 0.5·tanh(z/2) + 0.5."))
    else:
        mistakes.append(Mistake(lambda x, h, W_x, W_h, b_: 2.0 * sigmoid(x @ W_x.T + h @ W_h.T + b_) - 1.0,
                                "You computed 2σ(z) − 1, which is tanh(z/2): the identity is tanh(z) = 2σ(2z) − 1."))
    return mistakes


def _gate_hint(g: str) -> str:
    return (f"W_x{g} has shape (H, D) and meets x_t (size D); W_h{g} has shape (H, H) and meets h_prev (size H); "
            f"b_{g} has size H. With rows: x_t @ W_x{g}.T + h_prev @ W_h{g}.T + b_{g}, which also works for a batch.")


#: (D, H, B, dtype, scale of the weights) of the cases of the gate and step checkers: square weights first (so that
#: swapped or transposed weights still run and can be recognised), then non-square weights, unbatched and batched,
#: a float32 batch, the book's one-unit cell (D = H = 1, where np.squeeze or .item() slips show), a batch of one
#: row, and last the shapes of the first case again with large weights: saturated gates (so that clipping shows)
#: and new numbers for old shapes (so that a result remembered from an earlier call shows).
_CASE_SIZES = ((3, 3, None, np.float64, 1.0), (3, 3, 2, np.float64, 1.0), (2, 4, None, np.float64, 1.0),
               (5, 3, 4, np.float64, 1.0), (4, 2, 3, np.float32, 1.0), (1, 1, None, np.float64, 1.0),
               (2, 3, 1, np.float64, 1.0), (3, 3, None, np.float64, 4.0))

_GATE_COVERED = ("one vector and batches (also of one row), square and non-square weights, the one-unit cell, "
                 "saturated gates, float64 and float32")


def _rng_cases_gate(g: str) -> list[dict]:
    """Cases for a gate or the candidate, of the sizes `_CASE_SIZES`. Every parameter is drawn at random (no
    bias is 0 or 1, no two cases share a value). Seeded: the same every run."""
    rng = np.random.default_rng(20150707)
    cases = []
    for D, H, B, dtype, scale in _CASE_SIZES:
        lead = () if B is None else (B,)
        case = {
            "x_t": rng.normal(0, 1.0, lead + (D,)),
            "h_prev": rng.uniform(-1, 1, lead + (H,)),
            f"W_x{g}": rng.normal(0, scale, (H, D)),
            f"W_h{g}": rng.normal(0, scale, (H, H)),
            f"b_{g}": rng.normal(0, scale, (H,)) + 0.5,
        }
        cases.append({k: v.astype(dtype) for k, v in case.items()})
    return cases


_GATE_TITLES = {"o": ("output_gate", "o_t"), "f": ("forget_gate", "f_t"), "j": ("input_gate", "j_t"),
                "i": ("input_state", "i_t")}
_GATE_REFERENCES = {"o": output_gate, "f": forget_gate, "j": input_gate, "i": input_state}


def _check_gate(function, g: str) -> Feedback:
    title, symbol = _GATE_TITLES[g]
    names = ["x_t", "h_prev", f"W_x{g}", f"W_h{g}", f"b_{g}"]
    return _check(title, function, _GATE_REFERENCES[g], _rng_cases_gate(g),
                  _single(symbol, _gate_mistakes(g), _gate_hint(g)), names, _gate_hint(g), _GATE_COVERED)


def check_output_gate(function) -> Feedback:
    """Check a reader's ``output_gate(x_t, h_prev, W_xo, W_ho, b_o)``."""
    return _check_gate(function, "o")


def check_forget_gate(function) -> Feedback:
    """Check a reader's ``forget_gate(x_t, h_prev, W_xf, W_hf, b_f)``."""
    return _check_gate(function, "f")


def check_input_gate(function) -> Feedback:
    """Check a reader's ``input_gate(x_t, h_prev, W_xj, W_hj, b_j)``."""
    return _check_gate(function, "j")


def check_input_state(function) -> Feedback:
    """Check a reader's ``input_state(x_t, h_prev, W_xi, W_hi, b_i)``."""
    return _check_gate(function, "i")


# ------------------------------------------------------------------------------------------------ states

def _state_cases(names: Sequence[str], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    rng = np.random.default_rng(19971115)
    cases = []
    for lead, H, dtype in (((), 4, np.float64), ((3,), 4, np.float64), ((2,), 5, np.float64),
                           ((3,), 2, np.float32), ((), 1, np.float64), ((1,), 3, np.float64), ((), 4, np.float64)):
        cases.append({n: rng.uniform(*ranges[n], lead + (H,)).astype(dtype) for n in names})
    return cases


_STATE_HINT = "All inputs and the result have the same shape, (H,) or (B, H): every operation is elementwise (⊙)."
_STATE_COVERED = "one vector and batches (also of one row), one unit and several, float64 and float32"

_HIDDEN_MISTAKES = [
    Mistake(lambda c, o: c * o, "Your h_t is c_t ⊙ o_t: the tanh is missing. tanh(c_t) squashes the memory into "
                                "(-1, 1) before the output gate scales it, so that |h_t| < 1 even when c_t is large."),
    Mistake(lambda c, o: sigmoid(c) * o, "You used σ(c_t) where tanh(c_t) belongs: the sigmoid would make h_t "
                                         "positive always, and a memory of a negative value could not be shown."),
    Mistake(lambda c, o: _relu(c) * o, "You used ReLU, max(0, c_t), where tanh(c_t) belongs: a negative memory "
                                       "would never be shown, and a large one would not be bounded."),
    Mistake(lambda c, o: np.tanh(-c) * o, "A sign error: your h_t is −tanh(c_t) ⊙ o_t. The hidden state has the "
                                          "sign of the memory, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c * o), "You applied tanh after multiplying: the equation is tanh(c_t) ⊙ o_t, "
                                         "squash first, then scale by the gate."),
    Mistake(lambda c, o: np.tanh(c), "The output gate is missing: multiply tanh(c_t) by o_t elementwise."),
    Mistake(lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped: tanh acts on the cell state c_t, and the gate "
                                         "o_t multiplies the result."),
    Mistake(lambda c, o: np.tanh(c) + o, "You added o_t: the gate multiplies (⊙), it scales tanh(c_t) between "
                                         "0 and its full value."),
    Mistake(lambda c, o: np.tanh(c) * (1 - o), "You multiplied by 1 − o_t: the output gate is the fraction that "
                                               "is shown, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c) * np.tanh(o), "You squashed the gate too: o_t is already in (0, 1) and "
                                                  "multiplies tanh(c_t) as it is."),
    Mistake(lambda c, o: (2 * sigmoid(c) - 1) * o, "You computed 2σ(c_t) − 1, which is tanh(c_t/2): the identity "
                                                   "is tanh(z) = 2σ(2z) − 1."),
    Mistake(lambda c, o: np.tanh(c) * sigmoid(o), "You applied σ to o_t again: o_t is already the gate's value in "
                                                  "(0, 1) (σ was applied when it was computed); multiply by o_t as it is."),
]


def check_hidden_state(function) -> Feedback:
    """Check a reader's ``hidden_state(c_t, o_t)``."""
    cases = _state_cases(["c_t", "o_t"], {"c_t": (-3.0, 3.0), "o_t": (0.05, 0.95)})
    return _check("hidden_state", function, hidden_state, cases, _single("h_t", _HIDDEN_MISTAKES, _STATE_HINT),
                  ["c_t", "o_t"], _STATE_HINT, _STATE_COVERED)


_CELL_MISTAKES = [
    Mistake(lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t: the forget gate decides how much "
                                          "of the old memory is kept, c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * (1 - f) + i * j, "You kept c_(t-1) ⊙ (1 − f_t): in this book f_t is the "
                                                    "fraction that is kept, so the term is c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + i * (1 - f), "You wrote i_t ⊙ (1 − f_t): that couples the input and forget "
                                                    "gates (a variant, and the GRU's rule). This cell has its own input "
                                                    "gate: the new content is i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i, "The input gate is missing: the candidate i_t is written through the "
                                          "gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself into the memory: what is written is the "
                                          "candidate i_t, scaled by the input gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i * f, "You used f_t twice: it scales the old memory c_(t-1), and the "
                                              "input gate j_t (not f_t) scales the candidate i_t."),
    Mistake(lambda c, f, i, j: c * j + i * j, "You used j_t twice: the input gate j_t scales the candidate i_t, "
                                              "and the forget gate f_t (not j_t) scales the old memory c_(t-1)."),
    Mistake(lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped: f_t scales the old memory c_(t-1), j_t "
                                              "scales the new candidate i_t."),
    Mistake(lambda c, f, i, j: c * i + f * j, "The arguments are mixed up: the old memory c_(t-1) is scaled by "
                                              "the forget gate f_t, and the candidate i_t by the input gate j_t."),
    Mistake(lambda c, f, i, j: c * f - i * j, "The new content is subtracted: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t "
                                              "adds it (its sign comes from the candidate i_t)."),
    Mistake(lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well: only the old "
                                                "memory passes through the forget gate; i_t ⊙ j_t is added after."),
    Mistake(lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh: the cell state is not "
                                                       "squashed (it may grow past ±1); only h_t applies tanh."),
    Mistake(lambda c, f, i, j: i * j, "The old memory is missing: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t keeps a "
                                      "fraction f_t of what was stored before."),
    Mistake(lambda c, f, i, j: c * f, "The new content is missing: add i_t ⊙ j_t, the candidate let in by the "
                                      "input gate."),
    Mistake(lambda c, f, i, j: c * f * i * j, "You multiplied everything together: the two terms are added, "
                                              "c_(t-1) ⊙ f_t + i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * (1 - j) + i * j, "You kept c_(t-1) ⊙ (1 − j_t): that couples the two gates (a "
                                                    "variant). This cell has its own forget gate: c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + np.tanh(i) * j, "You applied tanh to i_t again: i_t is already the candidate "
                                                       "(tanh was applied when it was computed); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + i * sigmoid(j), "You applied σ to j_t again: j_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * sigmoid(f) + i * j, "You applied σ to f_t again: f_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + np.dot(i, j), "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
    Mistake(lambda c, f, i, j: np.dot(c, f) + i * j, "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
]


def check_cell_state(function) -> Feedback:
    """Check a reader's ``cell_state(c_prev, f_t, i_t, j_t)``."""
    names = ["c_prev", "f_t", "i_t", "j_t"]
    cases = _state_cases(names, {"c_prev": (-3.0, 3.0), "f_t": (0.05, 0.95), "i_t": (-0.95, 0.95),
                                 "j_t": (0.05, 0.95)})
    return _check("cell_state", function, cell_state, cases, _single("c_t", _CELL_MISTAKES, _STATE_HINT), names,
                  _STATE_HINT, _STATE_COVERED)


# ------------------------------------------------------------------------------------------------ the step

def _step_cases() -> list[dict]:
    """Every one of the twelve parameters drawn at random for every case (the forget bias too: a step that
    writes a constant where params.b_f belongs cannot pass), and non-zero states."""
    cases = []
    for seed, (D, H, B, dtype, scale) in enumerate(_CASE_SIZES):
        rng = np.random.default_rng(2000 + seed)
        lead = () if B is None else (B,)
        values = {}
        for g in "ijfo":
            values[f"W_x{g}"] = rng.normal(0, 1.2 * scale, (H, D))
            values[f"W_h{g}"] = rng.normal(0, 1.2 * scale, (H, H))
            values[f"b_{g}"] = rng.normal(0.3, scale, H)
        params = LSTMParams(**{k: v.astype(dtype) for k, v in values.items()})
        cases.append({"x_t": rng.normal(0, 1, lead + (D,)).astype(dtype),
                      "h_prev": rng.uniform(-0.9, 0.9, lead + (H,)).astype(dtype),
                      "c_prev": rng.uniform(-2, 2, lead + (H,)).astype(dtype), "params": params})
    return cases


_PART_NAMES = {"i": "the candidate i_t", "j": "the input gate j_t", "f": "the forget gate f_t", "o": "the output gate o_t"}
_ACTIVATION = {"i": np.tanh, "j": sigmoid, "f": sigmoid, "o": sigmoid}


def _parts(x, h, p: LSTMParams, replace: dict | None = None) -> dict:
    """i, j, f, o computed by the book's equations, with some parts replaced by given functions of
    (x, h, W_x, W_h, b)."""
    replace = replace or {}
    out = {}
    for g in "ijfo":
        Wx, Wh, b = p.part(g)
        compute = replace.get(g) or (lambda x_, h_, W_x, W_h, b_, act=_ACTIVATION[g]: act(x_ @ W_x.T + h_ @ W_h.T + b_))
        out[g] = compute(x, h, Wx, Wh, b)
    return out


def _step_mistakes() -> list[tuple[Mistake, str]]:
    """Wrong steps, each with where the reader should look; results are (h_t, c_t)."""

    def step_with(replace=None, cell=None, hidden=None):
        def compute(x, h, c, p):
            q = _parts(x, h, p, replace)
            c_t = (cell or (lambda c_, f, i, j: c_ * f + i * j))(c, q["f"], q["i"], q["j"])
            h_t = (hidden or (lambda c_, o: np.tanh(c_) * o))(c_t, q["o"])
            return h_t, c_t
        return compute

    out: list[tuple[Mistake, str]] = []

    def pytorch(x, h, c, p):
        gate = sigmoid(x @ p.W_xi.T + h @ p.W_hi.T + p.b_i)
        candidate = np.tanh(x @ p.W_xj.T + h @ p.W_hj.T + p.b_j)
        q = _parts(x, h, p)
        c_t = c * q["f"] + candidate * gate
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(pytorch,
                        "You used the i weights for the gate and the j weights for the candidate, as PyTorch's letters "
                        "would suggest. In this book i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i) is the candidate "
                        "(PyTorch's g) and j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j) is the input gate (PyTorch's i)."), ""))

    def old_memory(x, h, c, p):
        q = _parts(x, h, p)
        return np.tanh(c) * q["o"], c * q["f"] + q["i"] * q["j"]

    out.append((Mistake(old_memory, "Your h_t uses the old memory c_(t-1): compute c_t first, then "
                                    "h_t = tanh(c_t) ⊙ o_t from the new one."), ""))

    def h_for_c(x, h, c, p):
        q = _parts(x, h, p)
        c_t = h * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(h_for_c, "Your c_t keeps a fraction of h_prev: the memory that the forget gate keeps is the "
                                 "old cell state, c_t = c_prev ⊙ f_t + i_t ⊙ j_t."), ""))
    def states_step(x, h, c, p, h_gates, c_kept):
        q = _parts(x, h_gates, p)
        c_t = c_kept * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, h),
                        "h_prev and c_prev are swapped: the gates read the previous hidden state h_(t-1), and the "
                        "forget gate scales the previous cell state c_(t-1). Take them in the order "
                        "(x_t, h_prev, c_prev, params)."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, c),
                        "Your gates read c_(t-1) where h_(t-1) belongs: every gate is computed from x_t and the "
                        "previous hidden state, W_x? x_t + W_h? h_(t-1) + b_?."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, h, c, p, np.zeros_like(h), c),
                        "h_(t-1) is left out of every gate: add the recurrent terms W_h? h_(t-1) (params.W_hi, "
                        "params.W_hj, params.W_hf, params.W_ho)."), ""))
    out.append((Mistake(lambda x, h, c, p: (step_with()(x, h, c, p)[0], c),
                        "Your c_t is c_(t-1), unchanged: return the new cell state c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t, "
                        "not the one that came in."), "c"))
    out.append((Mistake(lambda x, h, c, p: (h, step_with()(x, h, c, p)[1]),
                        "Your h_t is h_(t-1), unchanged: return the new hidden state h_t = tanh(c_t) ⊙ o_t, not the "
                        "one that came in."), "h"))
    # one part computed with the weights of another (a copy-and-paste slip)
    for g in "ijfo":
        for other in "ijfo":
            if other == g:
                continue

            def compute(x, h, c, p, g=g, other=other):
                Wx, Wh, b = p.part(other)
                act = _ACTIVATION[g]
                return step_with({g: lambda x_, h_, *_: act(x_ @ Wx.T + h_ @ Wh.T + b)})(x, h, c, p)

            words = (f"{_PART_NAMES[g][0].upper()}{_PART_NAMES[g][1:]} is computed with the weights of "
                     f"{_PART_NAMES[other]} (params.W_x{other}, params.W_h{other}, params.b_{other}): it needs its "
                     f"own, params.W_x{g}, params.W_h{g}, params.b_{g}.")
            if {g, other} == {"j", "f"}:  # the same numbers as using one gate twice in c_t
                twice = other
                words = (f"Your c_t uses {twice}_t twice, as if c_t = c_(t-1) ⊙ {twice}_t + i_t ⊙ {twice}_t (or "
                         + words[0].lower() + words[1:-1] + "). c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t: f_t keeps the old "
                         "memory, j_t lets the candidate in.")
            out.append((Mistake(compute, words), g))
    # a known mistake in one equation, with everything else right
    for g in "ijfo":
        for mistake in _gate_mistakes(g):
            out.append((Mistake(step_with({g: mistake.compute}), mistake.message), g))
    for mistake in _CELL_MISTAKES:
        out.append((Mistake(step_with(cell=mistake.compute), mistake.message), "c"))
    for mistake in _HIDDEN_MISTAKES:
        out.append((Mistake(step_with(hidden=mistake.compute), mistake.message), "h"))
    return out


_WHERE = {
    "": "",
    "i": "The mistake is in the candidate i_t (c_t is wrong, the gates are right). ",
    "j": "The mistake is in the input gate j_t (c_t is wrong, the other parts are right). ",
    "f": "The mistake is in the forget gate f_t (c_t is wrong, the other parts are right). ",
    "o": "The mistake is in the output gate o_t (c_t is right, h_t is wrong). ",
    "c": "The mistake is in the cell state c_t (the four gates are right). ",
    "h": "The mistake is in the hidden state h_t (c_t and o_t are right). ",
}


def _locate(got_c: np.ndarray, got_h: np.ndarray, step: Step, case: dict) -> str:
    """Where the mistake is when no known one matches: which equation, judged from which results are right."""
    c_prev = np.asarray(case["c_prev"], dtype=float)
    if _close(got_c, step.c):
        # c_t right: h_t is wrong; if tanh(c_t) could not give it with any gate in (0, 1), look at the tanh
        ratio = np.divide(got_h, np.tanh(step.c), out=np.full(step.c.shape, np.nan), where=np.abs(step.c) > 1e-3)
        if np.all((ratio > 0) & (ratio < 1) | np.isnan(ratio)):
            return ("c_t is right and h_t is not, and your h_t is tanh(c_t) times numbers in (0, 1): look at the "
                    "output gate o_t = σ(W_xo x_t + W_ho h_(t-1) + b_o).")
        return "c_t is right and h_t is not: look at h_t = tanh(c_t) ⊙ o_t and at the output gate o_t."
    x, h, params = np.asarray(case["x_t"], dtype=float), np.asarray(case["h_prev"], dtype=float), case["params"]
    written, kept = step.i * step.j, c_prev * step.f
    with np.errstate(all="ignore"):
        implied = {  # the value each part would need for your c_t, if the other parts were right
            "f": np.divide(got_c - written, c_prev, out=np.full(c_prev.shape, np.nan), where=np.abs(c_prev) > 1e-2),
            "j": np.divide(got_c - kept, step.i, out=np.full(c_prev.shape, np.nan), where=np.abs(step.i) > 1e-2),
            "i": np.divide(got_c - kept, step.j, out=np.full(c_prev.shape, np.nan), where=np.abs(step.j) > 1e-2),
        }
    low = {"f": 0.0, "j": 0.0, "i": -1.0}
    suspects = [g for g, v in implied.items() if np.all(((v > low[g]) & (v < 1)) | np.isnan(v))
                and not np.all(np.isnan(v))]
    for g in suspects:  # a constant where params.b_g belongs, or a bias with the wrong sign?
        v = implied[g]
        with np.errstate(all="ignore"):
            z = np.arctanh(v) if g == "i" else np.log(v) - np.log1p(-v)
        Wx, Wh, b = params.part(g)
        bias = z - (x @ Wx.T + h @ Wh.T)
        seen = bias[np.isfinite(bias)]
        if seen.size and np.ptp(seen) < 1e-4 * max(1.0, float(np.max(np.abs(seen)))):
            value = float(np.mean(seen))
            return (f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were {value:.4g} in every unit, "
                    f"but params.b_{g} is {np.round(np.asarray(b, dtype=float), 4).tolist()}: use params.b_{g}, "
                    f"not a constant.")
        if seen.size and np.allclose(seen, -np.broadcast_to(b, bias.shape)[np.isfinite(bias)], rtol=1e-4, atol=1e-6):
            return f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were subtracted: add params.b_{g}."
    described = {"f": "the forget gate f_t = σ(W_xf x_t + W_hf h_(t-1) + b_f)",
                 "j": "the input gate j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j)",
                 "i": "the candidate i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i)"}
    if len(suspects) == 1:
        return (f"c_t is wrong. If the other parts are right, only {described[suspects[0]]} could give your c_t "
                f"with a value in its range: look there first, then at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    if suspects:
        return (f"c_t is wrong: look at {' or at '.join(described[g] for g in suspects)}, and at "
                f"c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    return "c_t is wrong: look at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t and at the gates it is made of."


def _diagnose_step(hint: str):
    mistakes = _step_mistakes()

    def diagnose(got, expected, case):
        step: Step = expected
        if isinstance(got, Step) or (isinstance(got, tuple) and len(got) == 6):
            return ("it returned all six quantities (a Step): return just the two states, (h_t, c_t), e.g. "
                    "`return step.h, step.c`.")
        if isinstance(got, np.ndarray) and got.ndim and got.shape[0] == 2 and got.shape[1:] == step.h.shape:
            return ("it returned one array with h_t and c_t stacked (np.array([h_t, c_t])): return them as two "
                    "values, `return h_t, c_t`.")
        if isinstance(got, dict):
            return f"it returned a dict ({_show(got)}): return the two arrays as a pair, `return h_t, c_t`."
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return f"it should return 2 values, (h_t, c_t); it returned {_what_came(got)}."
        first, second = got
        if (isinstance(first, np.ndarray) and isinstance(second, np.ndarray) and _close(first, step.c)
                and _close(second, step.h) and not _close(first, step.h)):
            return "it returned (c_t, h_t): return the hidden state first, (h_t, c_t)."
        got_h, problem = _as_result(first, step.h, "h_t", hint)
        if got_h is None:
            return problem
        got_c, problem = _as_result(second, step.c, "c_t", hint)
        if got_c is None:
            return problem
        if _close(got_h, step.h) and _close(got_c, step.c):
            return None
        for mistake, where in mistakes:
            wrong = _try(mistake.compute, case)
            if (wrong is not None and _close(got_h, wrong[0]) and _close(got_c, wrong[1])
                    and not (_close(wrong[0], step.h) and _close(wrong[1], step.c))):
                return _WHERE[where] + mistake.message
        rounded = _rounded(got_c, step.c, "c_t") or _rounded(got_h, step.h, "h_t")
        if rounded:
            return rounded
        c_words = _compare(got_c, step.c, "c_t")
        h_words = _compare(got_h, step.h, "h_t")
        located = _locate(got_c, got_h, step, case)
        return f"{located} {c_words or h_words}"

    return diagnose


def check_lstm_step(function) -> Feedback:
    """Check a reader's ``lstm_step(x_t, h_prev, c_prev, params)`` that returns ``(h_t, c_t)``.

    The diagnosis says where a mistake is: c_t is compared first (it is made of i_t, j_t, f_t), then h_t (made
    of c_t and o_t), and every known mistake of the six per-equation checkers is tried inside the step.
    """
    hint = ("x_t has shape (D,) or (B, D), h_prev and c_prev (H,) or (B, H); h_t and c_t have the shape of h_prev. "
            "Use params.W_xi, params.W_hi, params.b_i and so on, as named in the equations.")
    return _check("lstm_step", function, lstm_step, _step_cases(), _diagnose_step(hint),
                  ["x_t", "h_prev", "c_prev", "params"], hint, _GATE_COVERED)
