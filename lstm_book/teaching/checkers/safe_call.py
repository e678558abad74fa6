"""One call of the reader's function, made safely, and what happened in it (an `Outcome`).

`call_safely` gives the reader's function copies of a case's inputs (arrays, the arrays of a dict, of a trace;
parameters as a fresh read-only copy), stops it after a time limit (raising `TookTooLong` inside it, where the
platform allows), records its result or whatever it raised, numpy's warnings, whether it printed, and which inputs
it changed in place. `call_reference` runs the package's function on copies of the same case.
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from lstm_book.cell import LSTMParams


@dataclass
class Outcome:
    """What happened in one call: case `number` (from 1) and its inputs, the result or the exception, the inputs
    changed in place, numpy's warnings, whether it printed."""

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


class TookTooLong(BaseException):
    """Raised inside the reader's function when it runs past its time limit (a BaseException, so that an
    `except Exception` in the reader's loop cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after `seconds` (where the platform has SIGALRM and this is the main thread);
    a timer that was already running (pytest-timeout's) is given back its remaining time afterwards."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise TookTooLong

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


def call_safely(function, number: int, case: dict, seconds: float) -> Outcome:
    """Call the reader's function on copies of the case, for at most `seconds`; record the result, any exception,
    changed inputs, and whether it printed."""
    copies = {name: _copy(value) for name, value in case.items()}
    outcome = Outcome(number, case)
    output = _Tee(sys.stdout)
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(output):
        warnings.simplefilter("always")
        with np.errstate(all="warn", under="ignore"):
            try:
                with _time_limit(seconds):
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


def call_reference(function, case: dict):
    with np.errstate(all="ignore"):
        return function(*(_copy(v) for v in case.values()))
