"""The whole cell: its parameters, one time step, and the forward pass over a sequence.

`lstm_step` is built from the six functions of `lstm_book.equations`. The forward pass over a sequence,
`lstm_forward`, is the fast cell of `lstm_book.fast` (the whole cell as one matrix product, chapter 7); it is
imported here so that `lstm_book.cell.lstm_forward` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate
from .validation import LSTMInputError, as_float_array, check_finite, check_shapes, is_trusted, trusted

__all__ = ["LSTMParams", "Step", "Trace", "init_params", "scalar_params", "lstm_step", "lstm_forward"]

#: The four parts that have weights, in the book's order of the equations' definitions (i, j, f, o).
PARTS = ("i", "j", "f", "o")


@dataclass(frozen=True)
class LSTMParams:
    """All weights and biases of one LSTM cell, named as in the equations.

    For each part g in (i, j, f, o):  W_xg: (H, D) input weights;  W_hg: (H, H) recurrent weights;  b_g: (H,).
    D is `input_size`, H is `hidden_size`. All twelve arrays are checked when the object is made.
    """

    W_xi: np.ndarray
    W_hi: np.ndarray
    b_i: np.ndarray
    W_xj: np.ndarray
    W_hj: np.ndarray
    b_j: np.ndarray
    W_xf: np.ndarray
    W_hf: np.ndarray
    b_f: np.ndarray
    W_xo: np.ndarray
    W_ho: np.ndarray
    b_o: np.ndarray

    def __post_init__(self):
        arrays, specs = {}, {}
        for f in fields(self):
            array = as_float_array(getattr(self, f.name), func="LSTMParams", arg=f.name)
            check_finite(array, func="LSTMParams", arg=f.name)
            object.__setattr__(self, f.name, array)
            arrays[f.name] = array
            specs[f.name] = {"W_x": "H D", "W_h": "H H"}.get(f.name[:3], "H")
        sizes = check_shapes("LSTMParams", arrays, specs)
        object.__setattr__(self, "input_size", sizes["D"])
        object.__setattr__(self, "hidden_size", sizes["H"])

    def part(self, g: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W_xg, W_hg, b_g) of part g, one of 'i', 'j', 'f', 'o'."""
        if g not in PARTS:
            raise LSTMInputError(f"LSTMParams.part: argument 'g' should be one of {PARTS}, but got {g!r}")
        return getattr(self, f"W_x{g}"), getattr(self, f"W_h{g}"), getattr(self, f"b_{g}")

    def replace(self, **changes) -> "LSTMParams":
        """A copy with some arrays replaced, e.g. ``params.replace(b_f=np.full(H, 1.0))``."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise LSTMInputError(f"LSTMParams.replace: unknown parameter(s) {sorted(unknown)}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return LSTMParams(**values)

    def as_dict(self) -> dict[str, np.ndarray]:
        """The twelve arrays by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def init_params(input_size: int, hidden_size: int, *, forget_bias: float = 1.0, seed: int = 0,
                dtype=np.float64) -> LSTMParams:
    """Random parameters: weights uniform in ±1/√H (as PyTorch does), biases 0 except b_f = forget_bias.

    A forget-gate bias of 1 (f_t ≈ 0.73 at rest, instead of 0.5 with a bias of 0) lets the memory, and the error
    signal flowing back through it, last longer from the first step of training; Jozefowicz et al. (2015) found
    that this initialisation closes most of the gap between the LSTM and the GRU.
    The generator is seeded: the same arguments give the same parameters on every run.
    """
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise LSTMInputError(f"init_params: argument '{name}' should be a positive integer, but got {value!r}")
    if not np.isfinite(forget_bias):
        raise LSTMInputError(f"init_params: argument 'forget_bias' should be finite, but got {forget_bias}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise LSTMInputError(f"init_params: argument 'dtype' should be float64 or float32, but got {dtype}")
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(hidden_size)
    values = {}
    for g in PARTS:
        values[f"W_x{g}"] = rng.uniform(-scale, scale, (hidden_size, input_size)).astype(dtype)
        values[f"W_h{g}"] = rng.uniform(-scale, scale, (hidden_size, hidden_size)).astype(dtype)
        values[f"b_{g}"] = np.full(hidden_size, forget_bias if g == "f" else 0.0, dtype=dtype)
    return LSTMParams(**values)


def scalar_params(**values: float) -> LSTMParams:
    """The parameters of a one-unit cell with one input (D = H = 1) from plain numbers.

    Names are the book's in lower case: w_xi, w_hi, b_i, w_xj, ..., b_o. Any left out are 0.
    ``scalar_params(w_xi=2.0, b_f=4.0)`` is the cell whose every slider is one number of the equations.
    """
    names = [f.name for f in fields(LSTMParams)]
    lower = {n.lower(): n for n in names}
    unknown = set(values) - set(lower)
    if unknown:
        raise LSTMInputError(
            f"scalar_params: unknown parameter(s) {sorted(unknown)}; expected some of {sorted(lower)}"
        )
    arrays = {n: np.zeros((1, 1)) if n.startswith("W") else np.zeros(1) for n in names}
    for key, value in values.items():
        if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool):
            raise LSTMInputError(f"scalar_params: argument '{key}' should be a number, but got {value!r}")
        arrays[lower[key]] = np.full_like(arrays[lower[key]], float(value))
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


def lstm_step(x_t, h_prev, c_prev, params: LSTMParams) -> Step:
    """One step of the cell: the six equations, evaluated bottom-up (gates first, then c_t, then h_t).

    x_t: (D,) or (B, D);  h_prev, c_prev: (H,) or (B, H), batched like x_t;  params: an `LSTMParams` (sizes D, H).
    Returns a `Step` (i, j, f, o, c, h), each (H,) or (B, H).
    """
    x_t, h_prev, c_prev = _check_inputs("lstm_step", params, x_t=x_t, h_prev=h_prev, c_prev=c_prev)
    with trusted():  # checked once here, so the six functions skip their own checks
        i_t = input_state(x_t, h_prev, *params.part("i"))
        j_t = input_gate(x_t, h_prev, *params.part("j"))
        f_t = forget_gate(x_t, h_prev, *params.part("f"))
        o_t = output_gate(x_t, h_prev, *params.part("o"))
        c_t = cell_state(c_prev, f_t, i_t, j_t)
        h_t = hidden_state(c_t, o_t)
    return Step(i_t, j_t, f_t, o_t, c_t, h_t)


def _check_inputs(func: str, params, **arrays):
    """The checks of `lstm_step` and `lstm_forward`, with the caller's argument names in every message.

    The sequence `xs` is (T, D) or (T, B, D); a step's `x_t` is (D,) or (B, D); the states are (H,) or (B, H)
    and batched exactly like the input. A missing state (None) becomes zeros. Returns the arrays, in order.
    """
    if not isinstance(params, LSTMParams):
        raise LSTMInputError(f"{func}: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    if is_trusted():
        return tuple(arrays.values())
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


from .fast import lstm_forward  # noqa: E402  (the fast cell of chapter 7; it imports the names above)
