"""Checks at the public surface of `lstm_book`: every array that comes in is checked here.

A wrong shape, a wrong dtype, a NaN or an infinity gets an error that names the function, the argument, what
was expected and what came, instead of a numpy broadcasting error or a silent NaN three steps later.

Shapes are written as strings of symbols, one per axis, as in the book's tables: ``"H D"`` is a matrix with
H rows and D columns. A leading ``"*B"`` marks an optional batch axis: ``"*B D"`` accepts ``(D,)`` and
``(B, D)``. Symbols that appear in several arguments must take the same size in all of them.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import numbers

import numpy as np

__all__ = [
    "LSTMInputError", "as_float_array", "check_finite", "check_shapes", "shapes", "check_number", "check_integer",
    "check_float_dtype", "no_overflow", "labelled", "unchecked",
]

# Every public function of the model checks its own arguments, every time it is called: there is no mode or
# context that switches the checks off. Inside the model, a public function that has checked its inputs runs the
# unchecked bodies of the functions it builds on (a function decorated with `shapes` keeps its body as
# ``function.__wrapped__``; the loops are private functions, ``_forward``), so that a sequence is checked once,
# not at every step.

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


class LSTMInputError(ValueError):
    """Bad input to a public function of `lstm_book`: the message says which argument and why."""


def as_float_array(value, *, func: str, arg: str) -> np.ndarray:
    """`value` as a float32 or float64 array; integers become float64, anything else is refused."""
    if type(value) is np.ndarray and value.dtype in _FLOATS:  # the common case, already in native byte order
        return value
    try:
        array = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise LSTMInputError(f"{func}: argument '{arg}' could not be read as an array ({exc})") from None
    kind = array.dtype.kind
    if kind == "f":
        if array.dtype.itemsize not in (4, 8):
            raise LSTMInputError(
                f"{func}: argument '{arg}' should be float64 or float32, but got dtype {array.dtype}"
            )
        return array.astype(array.dtype.newbyteorder("="), copy=False)  # big-endian data in native order
    if kind in "iu":
        return array.astype(np.float64)
    raise LSTMInputError(
        f"{func}: argument '{arg}' should be an array of real numbers (float64 or float32), "
        f"but got dtype {array.dtype}" + (f" ({type(value).__name__})" if kind == "O" else "")
    )


def check_number(value, *, func: str, arg: str) -> float:
    """`value` as a finite Python float: int, float or a numpy real scalar; bool, str, None, complex, lists and
    arrays are refused, and so is a number too large for float64 (10**400)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise LSTMInputError(f"{func}: argument '{arg}' should be a real number, but got {_show(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise LSTMInputError(
            f"{func}: argument '{arg}' should be a finite number (within float64's range, about ±1.8e308), "
            f"but got {_show(value)}"
        )
    return number


def check_integer(value, *, func: str, arg: str, low: int = 0, high: int | None = None, why: str = "") -> int:
    """`value` as a Python int in [low, high]: an int or numpy integer (not bool, not 3.0, not "3")."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise LSTMInputError(f"{func}: argument '{arg}' should be an integer{why}, but got {_show(value)}")
    number = int(value)
    if number < low or (high is not None and number > high):
        where = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise LSTMInputError(f"{func}: argument '{arg}' should be an integer {where}{why}, but got {number}")
    return number


def check_float_dtype(value, *, func: str, arg: str) -> np.dtype:
    """`value` as np.float64 or np.float32 (also given as "float32", np.float32, np.dtype("float32"))."""
    try:
        dtype = np.dtype(value) if value is not None else None
    except Exception:
        dtype = None
    if dtype is None or dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise LSTMInputError(f"{func}: argument '{arg}' should be np.float64 or np.float32, but got {_show(value)}")
    return dtype


def _show(value) -> str:
    """A short description of a value for an error message: its repr, cut, and its type."""
    try:
        text = repr(value)
    except Exception:
        text = "<unprintable>"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


@contextlib.contextmanager
def no_overflow(func: str, arrays: dict[str, np.ndarray]):
    """Run a computation on checked arrays so that overflowing float64 (or float32) is an `LSTMInputError` that
    names the largest argument, never a RuntimeWarning or a silent inf/NaN.

    Only a sum or product of values near the dtype's limit (about 1e154 and more) can overflow: the activations
    themselves never do.
    """
    try:
        with np.errstate(over="raise", invalid="raise", under="ignore"):  # underflow to 0 is harmless here
            yield
    except FloatingPointError as exc:
        sizes = {name: float(np.max(np.abs(a))) if np.size(a) else 0.0 for name, a in arrays.items()}
        largest = max(sizes, key=sizes.get)
        raise LSTMInputError(
            f"{func}: the computation overflowed ({exc}): the values are too large for floating point; "
            f"the largest is in argument '{largest}' (|value| up to {sizes[largest]:.3g})"
        ) from None


def check_finite(array: np.ndarray, *, func: str, arg: str) -> None:
    """Refuse NaN and infinity, naming where the first one sits (`array`: anything numpy reads as numbers)."""
    if not (isinstance(array, np.ndarray) and array.dtype.kind in "fiucb"):
        try:
            array = np.asarray(array)
        except Exception:  # ragged lists and the like
            array = np.asarray(None)
        if array.dtype.kind not in "fiucb":
            raise LSTMInputError(f"{func}: argument '{arg}' should be an array of numbers, but got {_show(array)}")
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        where = f" at index {tuple(int(k) for k in bad)}" if array.ndim else ""
        value = array[tuple(bad)] if array.ndim else array
        raise LSTMInputError(f"{func}: argument '{arg}' should be finite, but has {value}{where}")


def _describe(spec: list[str], sizes: dict[str, int]) -> str:
    def axis(symbol: str) -> str:
        return f"{symbol}={sizes[symbol]}" if symbol in sizes else symbol

    core = [axis(s) for s in spec if s != "*B"]
    plain = "(" + ", ".join(core) + ("," if len(core) == 1 else "") + ")"
    if spec and spec[0] == "*B":
        return f"{plain} or {'(' + ', '.join([axis('B')] + core) + ')'}"
    return plain


def check_shapes(func: str, arrays: dict[str, np.ndarray], specs: dict[str, str]) -> dict[str, int]:
    """Match each array against its symbolic shape; return the sizes of the symbols.

    Arguments are checked in the order of `specs`, so the first argument that fixes a symbol is the one the
    message blames ("H=3 from W_xo").
    """
    if not (isinstance(arrays, dict) and isinstance(specs, dict) and set(specs) <= set(arrays)
            and all(isinstance(a, np.ndarray) for a in arrays.values())
            and all(isinstance(v, str) for v in specs.values())):
        raise LSTMInputError(f"{func}: check_shapes needs 'arrays' (a dict of numpy arrays) and 'specs' (a dict of "
                             f"shape strings for some of them), but got {type(arrays).__name__} and "
                             f"{type(specs).__name__}")
    sizes: dict[str, int] = {}
    origin: dict[str, str] = {}
    batched_by: tuple[str, bool] | None = None  # the first optional-batch argument, and whether it had the axis
    for arg, spec_text in specs.items():
        array = arrays[arg]
        spec = spec_text.split()
        optional_batch = bool(spec) and spec[0] == "*B"
        core = spec[1:] if optional_batch else spec
        allowed = {len(core), len(core) + 1} if optional_batch else {len(core)}
        if array.ndim not in allowed:
            raise LSTMInputError(
                f"{func}: argument '{arg}' should have shape {_describe(spec, sizes)}, "
                f"but got shape {array.shape}"
            )
        has_batch = optional_batch and array.ndim == len(core) + 1
        if optional_batch:
            if batched_by is not None and batched_by[1] != has_batch:
                first, first_has = batched_by
                core_sizes = [f"{x}={sizes[x]}" if x in sizes else x for x in core]
                want = "(" + ", ".join(([f"B={sizes['B']}"] if first_has else []) + core_sizes) + ("," if len(core) == 1 and not first_has else "") + ")"
                raise LSTMInputError(
                    f"{func}: argument '{arg}' should have shape {want}, "
                    f"{'with the batch axis' if first_has else 'without a batch axis'} of '{first}' "
                    f"(shape {arrays[first].shape}), but got shape {array.shape}"
                )
            batched_by = batched_by or (arg, has_batch)
        symbols = (["B"] if has_batch else []) + core
        for axis, (symbol, size) in enumerate(zip(symbols, array.shape)):
            if symbol in sizes and sizes[symbol] != size:
                raise LSTMInputError(
                    f"{func}: argument '{arg}' should have shape {_describe(spec, sizes)} "
                    f"({symbol}={sizes[symbol]} from '{origin[symbol]}'), but got shape {array.shape}"
                )
            if size == 0:
                raise LSTMInputError(
                    f"{func}: argument '{arg}' has an empty axis {axis} ({symbol}=0) in shape {array.shape}"
                )
            sizes.setdefault(symbol, size)
            origin.setdefault(symbol, arg)
    return sizes


def shapes(**specs: str):
    """Decorator: check the named arguments of a function against symbolic shapes, every time it is called.

    >>> @shapes(x_t="*B D", W="H D")
    ... def project(x_t, W): return x_t @ W.T

    Each checked argument is converted to a float array, checked for NaN/inf and for its shape; the function
    body then runs on the converted arrays, where overflow is an `LSTMInputError` too. The specs are kept on the
    function as ``__shapes__``, and the unchecked body as ``__wrapped__`` (for the model's own functions that have
    checked these arrays already).
    """

    def decorate(function):
        signature = inspect.signature(function)
        name = function.__name__
        positional = list(signature.parameters)
        order = [arg for arg in positional if arg in specs]

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if not kwargs and len(args) == len(positional):  # the common call: every argument, in order
                values = dict(zip(positional, args))
            else:
                try:
                    bound = signature.bind(*args, **kwargs)
                except TypeError as exc:
                    raise TypeError(f"{name}: {exc}") from None
                bound.apply_defaults()
                values = dict(bound.arguments)
            arrays = {}
            for arg in order:
                array = as_float_array(values[arg], func=name, arg=arg)
                check_finite(array, func=name, arg=arg)
                arrays[arg] = values[arg] = array
            check_shapes(name, arrays, specs)
            with no_overflow(name, arrays):
                return function(**values)

        wrapper.__shapes__ = dict(specs)
        return wrapper

    return decorate


def unchecked(function):
    """The body of a function decorated with `shapes`, which runs without checking its arguments.

    Only for a caller that has checked those arguments itself, once, such as `lstm_step` before it runs the six
    equations: ``unchecked(forget_gate)(x_t, h_prev, W_xf, W_hf, b_f)``. Any other function is returned as it is.
    """
    return getattr(function, "__wrapped__", function)


def labelled(params, arg: str = "params") -> dict[str, np.ndarray]:
    """The arrays of a parameter mapping by the names an error message gives them: ``params.W_xi``, ..."""
    if not hasattr(params, "items"):
        raise LSTMInputError(f"labelled: argument 'params' should be a mapping of arrays, but got {_show(params)}")
    return {f"{arg}.{name}": value for name, value in params.items()}
