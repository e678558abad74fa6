"""The one runner of every checker: `check` runs the reader's function on each case and turns what happened
into one `Feedback`.

Before anything runs, a parameter list that cannot take the checker's arguments, or takes them in another order,
is named. Each call is made by `safe_call` (copies of the inputs, at most `TIME_LIMIT` seconds); then an input
changed in place is named (also by the name the reader's code gives it), a variable read from the notebook instead
of an argument is named, whatever the function raised becomes a sentence, and its result is judged by the
`diagnose` the checker passes in (made by `single`, `several` or `keyed` of `diagnoses`). A checker never raises.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lstm_book.cell import LSTMParams, Step

from .results import shape_words, show
from .safe_call import Outcome, TookTooLong, call_reference, call_safely

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
    (KeyError, ("'W_", "'b_"),
     "The arrays of params are named as in the equations: params['W_xi'] (or params.W_xi), params['W_hi'], "
     "params['b_i'], and the same with j, f and o (W_x? multiplies x_t, W_h? multiplies h_(t-1))."),
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


def _raised(title: str, outcome: Outcome, hint: str) -> str:
    exc = outcome.error
    if isinstance(exc, TookTooLong):
        return (f"Your {title} did not finish within {TIME_LIMIT:g} seconds on inputs {shape_words(outcome.case)}, "
                f"which take a computer microseconds: is there a loop that never ends (a `while` whose condition "
                f"stays true, or a loop over a list that grows)?")
    if isinstance(exc, dataclasses.FrozenInstanceError) or "read-only" in str(exc):
        return (f"Your {title} tried to change the parameters in place ({type(exc).__name__}: {show(str(exc), 80)}). "
                f"LSTMParams is read-only: compute new arrays (e.g. `z = ... + params.b_f`), never `params.b_f += ...`.")
    words = (f"Your {title} raised {type(exc).__name__}: {show(str(exc), 160)} (on inputs {shape_words(outcome.case)}).")
    text = str(exc)
    if isinstance(exc, (ValueError, TypeError)) and any(k in text for k in ("matmul", "broadcast", "shape", "align", "operand")):
        return words + " That is a shape mismatch. " + hint
    for kind, fragments, advice in _ERROR_ADVICE:
        if isinstance(exc, kind) and any(f in text for f in fragments):
            return f"{words} {advice}"
    return words


def check(title: str, function, reference, cases: Sequence[dict], diagnose, names: Sequence[str],
          hint: str, covered: str, *, batched: Callable[[dict], bool] | None = None,
          passed: str | None = None) -> Feedback:
    """Run the reader's `function` on every case and turn what happened into one Feedback.

    The one runner of every checker of the book (Parts I to III). Each case is a dict of the arguments, in the
    order of `names` (arrays, numbers, dicts of arrays, an `LSTMParams`, a trace); the reader's function gets
    copies, and an input it changes is named. diagnose(got, expected, case) -> None when `got` is right, else the
    words that say what is wrong (`single`, `several`, `keyed` make one). `covered` says, for the verdict
    "correct", what the cases were (or `passed` is that whole verdict); `batched(case)` says whether a case is a
    batch, for "right for one vector but not for a batch" (default: the first argument is 2-D; `no_batches`:
    the checker's cases make no such distinction).
    """
    if not callable(function):
        return Feedback(False, f"Pass your function itself (without calling it), e.g. check(my_function); got {show(function)}.")
    if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
        how = "`async def`" if inspect.iscoroutinefunction(function) else "a `yield`"
        return Feedback(False, f"Your {title} is written with {how}, so calling it does not run it: write a plain "
                               f"`def` that computes the result and returns it with `return`.")
    problem = _signature_problem(function, title, names)
    if problem:
        return Feedback(False, problem)
    outcomes, verdicts, structural = [], [], []
    for number, case in enumerate(cases, start=1):
        outcome = call_safely(function, number, case, TIME_LIMIT)
        if isinstance(outcome.error, NotImplementedError):
            return Feedback(False, f"Your {title} is not written yet: replace `raise NotImplementedError` with your code.")
        if isinstance(outcome.error, TookTooLong):
            return Feedback(False, _raised(title, outcome, hint))
        expected = call_reference(reference, case)
        if outcome.error is not None:
            verdict = _raised(title, outcome, hint)
        elif outcome.got is None and outcome.printed:
            verdict = (f"Your {title} printed its result but returned None: the checker (and the code that calls "
                       f"your function) needs it returned. Replace `print(...)` with `return ...`.")
        else:
            try:
                verdict = diagnose(outcome.got, expected, case)
            except Exception as exc:  # a result so strange that the diagnosis failed: still say something
                verdict = f"its result ({show(outcome.got)}) could not be compared ({type(exc).__name__}: {exc})."
            if verdict is not None and not verdict.startswith("Your"):
                verdict = f"On case {number} ({shape_words(case)}): {verdict}"
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


def _structural(outcome: Outcome, expected) -> bool:
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


def no_batches(case: dict) -> None:
    """For `check(batched=...)`: these cases are neither vectors nor batches (parameters, a loss over (T, B, K))."""
    return None


def _is_single_precision(case: dict) -> bool:
    return any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in case.values())


def check_value(title: str, value, diagnose, passed: str, asked: str) -> Feedback:
    """The runner's entry for an answer that is a value made by the reader's code (a training run), not a
    function: None is "not there yet" (`asked` says what to assign), a function is "pass its result", and
    `diagnose(value)` -> None when right (then `passed` is the verdict), else the words that say what is wrong.
    Never raises."""
    if value is None:
        return Feedback(False, f"Your {title} is not there yet: {asked}")
    if callable(value):
        return Feedback(False, f"Pass the result of your code, not a function ({show(value)}): {asked}")
    try:
        verdict = diagnose(value)
    except Exception as exc:  # a value so strange that the diagnosis failed: still say something
        verdict = f"Your {title} ({show(value)}) could not be read ({type(exc).__name__}: {show(str(exc), 120)})."
    return Feedback(verdict is None, passed if verdict is None else verdict)
