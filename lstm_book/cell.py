"""The whole cell: its parameters, and one time step built from the six equations.

`lstm_step` runs the six functions of `lstm_book.equations` (or your own versions of any of them) for one step.
The forward pass over a whole sequence is `lstm_book.fast.lstm_forward`, the whole cell as one matrix product
(chapter 7); a test holds the two to 1e-12.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate
from .params import Params
from .validation import (
    LSTMInputError, as_float_array, check_finite, check_float_dtype, check_integer, check_number, no_overflow, labelled, unchecked,
)

__all__ = ["PARTS", "EQUATIONS", "LSTMParams", "Step", "Trace", "init_params", "scalar_params", "lstm_step"]

#: The four parts that have weights, in the book's order of the equations' definitions (i, j, f, o).
PARTS = ("i", "j", "f", "o")


class LSTMParams(Params):
    """All weights and biases of one LSTM cell, named as in the equations: ``LSTMParams(W_xi=..., ..., b_o=...)``.

    For each part g in (i, j, f, o):  W_xg: (H, D) input weights;  W_hg: (H, H) recurrent weights;  b_g: (H,).
    D is `input_size`, H is `hidden_size`. All twelve arrays are checked when the object is made, and the
    object keeps its own read-only copies: changing the caller's arrays later changes nothing here, and
    ``params.b_f[0] = 4`` is refused (make a changed copy with `replace`). A `Params` (lstm_book.params): a
    read-only mapping, so ``dict(params)`` and ``LSTMParams(**params)`` work.
    """

    #: The twelve names, part by part in the order i, j, f, o.
    NAMES = tuple(f"{kind}{g}" for g in PARTS for kind in ("W_x", "W_h", "b_"))
    LAYOUT = {name: {"W_x": "H D", "W_h": "H H"}.get(name[:3], "H") for name in NAMES}

    def __init__(self, **arrays):
        missing, unknown = [n for n in self.NAMES if n not in arrays], sorted(set(arrays) - set(self.NAMES))
        if missing or unknown:  # a wrong call, like a function's missing or unexpected keyword argument
            raise TypeError(f"LSTMParams() takes the twelve arrays {list(self.NAMES)} by name: missing {missing}, "
                            f"unexpected {unknown}")
        super().__init__(arrays, self.LAYOUT, func="LSTMParams")

    def _remade(self, arrays: dict) -> "LSTMParams":
        return LSTMParams(**arrays)

    def part(self, g: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W_xg, W_hg, b_g) of part g, one of 'i', 'j', 'f', 'o'."""
        if not isinstance(g, str) or g not in PARTS:
            raise LSTMInputError(f"LSTMParams.part: argument 'g' should be one of {PARTS}, but got {g!r}")
        return self[f"W_x{g}"], self[f"W_h{g}"], self[f"b_{g}"]


def init_params(input_size: int, hidden_size: int, *, forget_bias: float = 1.0, seed: int = 0,
                dtype=np.float64) -> LSTMParams:
    """Random parameters: weights uniform in ±1/√H (as PyTorch does), biases 0 except b_f = forget_bias.

    A positive forget-gate bias (f_t ≈ 0.73 at rest with a bias of 1, instead of 0.5) lets the memory, and the
    error signal flowing back through it, last longer from the first step of training. The idea goes back to
    Gers, Schmidhuber & Cummins (2000), who introduced the forget gate; Jozefowicz et al. (2015) measured that a
    bias of 1 closes most of the gap between the LSTM and the GRU.
    input_size D >= 1, hidden_size H >= 1: integers.  forget_bias: a finite real number.
    seed: an integer >= 0 (required: the same arguments give the same parameters on every run; there is no
    "random each time" option).  dtype: np.float64 (the default) or np.float32.
    """
    D = check_integer(input_size, func="init_params", arg="input_size", low=1)
    H = check_integer(hidden_size, func="init_params", arg="hidden_size", low=1)
    count = 4 * H * (D + H + 1)
    if count > _MAX_PARAMETERS:
        size = f"{count:.3g}" if count < 10**300 else f"about 10^{len(str(count)) - 1}"
        raise LSTMInputError(
            f"init_params: arguments 'input_size' ({D}) and 'hidden_size' ({H}) would make 4·H·(D+H+1) = {size} "
            f"numbers, more than the {_MAX_PARAMETERS:.0e} this package allocates; choose smaller sizes"
        )
    forget_bias = check_number(forget_bias, func="init_params", arg="forget_bias")
    if seed is None:
        raise LSTMInputError(
            "init_params: argument 'seed' should be an integer >= 0, but got None; the book's parameters are "
            "always seeded, so that every run gives the same weights (pass e.g. seed=0)"
        )
    seed = check_integer(seed, func="init_params", arg="seed", low=0)
    dtype = check_float_dtype(dtype, func="init_params", arg="dtype")
    if abs(forget_bias) > float(np.finfo(dtype).max):
        raise LSTMInputError(f"init_params: argument 'forget_bias' should fit in {dtype} (|value| <= "
                             f"{np.finfo(dtype).max:.3g}), but got {forget_bias:g}")
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(H)
    values = {}
    for g in PARTS:
        values[f"W_x{g}"] = rng.uniform(-scale, scale, (H, D)).astype(dtype)
        values[f"W_h{g}"] = rng.uniform(-scale, scale, (H, H)).astype(dtype)
        values[f"b_{g}"] = np.full(H, forget_bias if g == "f" else 0.0, dtype=dtype)
    return LSTMParams(**values)


#: init_params refuses sizes with more numbers than this (800 MB in float64, and the arrays are made and copied
#: more than once): a typo, not a model of this book.
_MAX_PARAMETERS = 10**8


def scalar_params(**values: float) -> LSTMParams:
    """The parameters of a one-unit cell with one input (D = H = 1) from plain numbers.

    Names are the book's in lower case: w_xi, w_hi, b_i, w_xj, ..., b_o. Any left out are 0.
    ``scalar_params(w_xi=2.0, b_f=4.0)`` is the cell whose every slider is one number of the equations.
    """
    names = LSTMParams.NAMES
    lower = {n.lower(): n for n in names}
    unknown = set(values) - set(lower)
    if unknown:
        raise LSTMInputError(
            f"scalar_params: unknown parameter(s) {sorted(unknown)}; expected some of {sorted(lower)}"
        )
    arrays = {n: np.zeros((1, 1)) if n.startswith("W") else np.zeros(1) for n in names}
    for key, value in values.items():
        number = check_number(value, func="scalar_params", arg=key)
        arrays[lower[key]] = np.full_like(arrays[lower[key]], number)
    return LSTMParams(**arrays)


class Step(NamedTuple):
    """Everything one time step computes, in the order the equations are evaluated."""

    i: np.ndarray
    j: np.ndarray
    f: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


class Trace(Step):
    """A forward pass over T steps, with the fields of `Step`: each has shape (T, H) or (T, B, H), and entry t
    is the value at step t."""


#: The six equations by name: what `lstm_step` runs, unless it is given your own version of some of them.
EQUATIONS: dict[str, Callable] = {f.__name__: f for f in (
    input_state, input_gate, forget_gate, output_gate, cell_state, hidden_state)}


def lstm_step(x_t, h_prev, c_prev, params: LSTMParams, **equations: Callable) -> Step:
    """One step of the cell: the six equations, evaluated bottom-up (gates first, then c_t, then h_t).

    x_t: (D,) or (B, D);  h_prev, c_prev: (H,) or (B, H), batched like x_t;  params: an `LSTMParams` (sizes D, H).
    equations: your own version of any of the six, by name, e.g. ``lstm_step(x_t, h, c, params,
    forget_gate=my_forget_gate)``; called exactly as the book's, and what it returns is checked.
    Returns a `Step` (i, j, f, o, c, h), each (H,) or (B, H).
    """
    x_t, h_prev, c_prev = _check_inputs("lstm_step", params, x_t=x_t, h_prev=h_prev, c_prev=c_prev)
    eq = _equations(equations, want=h_prev.shape)   # checked once, above: the book's six run unchecked
    with no_overflow("lstm_step", {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **labelled(params)}):
        i_t = eq["input_state"](x_t, h_prev, *params.part("i"))
        j_t = eq["input_gate"](x_t, h_prev, *params.part("j"))
        f_t = eq["forget_gate"](x_t, h_prev, *params.part("f"))
        o_t = eq["output_gate"](x_t, h_prev, *params.part("o"))
        c_t = eq["cell_state"](c_prev, f_t, i_t, j_t)
        h_t = eq["hidden_state"](c_t, o_t)
    return Step(i_t, j_t, f_t, o_t, c_t, h_t)


def _equations(yours: dict[str, Callable], want: tuple) -> dict[str, Callable]:
    """The six functions `lstm_step` runs: the book's bodies (their inputs are checked by the step), and yours in
    their place, each wrapped so that what it returns is checked (a finite float array of shape `want`)."""
    unknown = sorted(set(yours) - set(EQUATIONS))
    if unknown:
        raise LSTMInputError(f"lstm_step: no equation named {unknown[0]!r} can be replaced; expected some of "
                             f"{list(EQUATIONS)}")
    eq = {name: unchecked(f) for name, f in EQUATIONS.items()}
    for name, function in yours.items():
        if not callable(function):
            raise LSTMInputError(f"lstm_step: argument {name!r} should be a function like lstm_book.{name}, but "
                                 f"got {type(function).__name__}")
        eq[name] = _returns_checked(name, function, want)
    return eq


def _returns_checked(name: str, function: Callable, want: tuple) -> Callable:
    def run(*args):
        value = function(*args)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise LSTMInputError(f"lstm_step: your {name} returned {type(value).__name__}, expected an array of "
                                 f"shape {want}") from None
        if array.shape != want or not np.all(np.isfinite(array)):
            raise LSTMInputError(f"lstm_step: your {name} returned {array!r} (shape {array.shape}), expected a "
                                 f"finite array of shape {want}, like the package's {name}")
        return array
    return run


def _check_inputs(func: str, params, **arrays):
    """The checks of `lstm_step` and `lstm_forward`, with the caller's argument names in every message.

    The sequence `xs` is (T, D) or (T, B, D); a step's `x_t` is (D,) or (B, D); the states are (H,) or (B, H)
    and batched exactly like the input. A missing state (None) becomes zeros. Returns the arrays, in order.
    """
    if not isinstance(params, LSTMParams):
        raise LSTMInputError(f"{func}: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    D, H = params.input_size, params.hidden_size
    (x_name, x), *states = arrays.items()
    x = as_float_array(x, func=func, arg=x_name)
    sequence = x_name == "xs"
    lead = 1 if sequence else 0  # the time axis in front of a sequence
    if x.ndim not in (lead + 1, lead + 2) or x.shape[-1] != D:
        want = f"(T, D={D}) or (T, B, D={D})" if sequence else f"(D={D},) or (B, D={D})"
        raise LSTMInputError(f"{func}: argument '{x_name}' should have shape {want}, but got shape {x.shape}")
    if sequence and x.shape[0] == 0:
        raise LSTMInputError(f"{func}: argument 'xs' is an empty sequence (T=0, shape {x.shape}); need T >= 1")
    batch = x.shape[lead:-1]
    if batch == (0,):
        raise LSTMInputError(f"{func}: argument '{x_name}' is a batch of 0 sequences (B=0, shape {x.shape}); need B >= 1")
    check_finite(x, func=func, arg=x_name)
    out = [x]
    for name, value in states:
        want = batch + (H,)
        if value is None:
            value = np.zeros(want, dtype=x.dtype)
        value = as_float_array(value, func=func, arg=name)
        if value.shape != want:
            how = f"(B={batch[0]}, H={H}), batched like '{x_name}'" if batch else f"(H={H},), unbatched like '{x_name}'"
            raise LSTMInputError(f"{func}: argument '{name}' should have shape {how} (shape {x.shape}), "
                                 f"but got shape {value.shape}")
        check_finite(value, func=func, arg=name)
        out.append(value)
    return tuple(out)
