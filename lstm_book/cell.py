"""The whole cell: its parameters, one time step, and the forward pass over a sequence.

Everything here is built from the six functions of `lstm_book.equations`; nothing is computed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate
from .validation import LSTMInputError, as_float_array, check_finite, check_shapes

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

    x_t: (D,) or (B, D);  h_prev, c_prev: (H,) or (B, H);  params: an `LSTMParams` with sizes D and H.
    Returns a `Step` (i, j, f, o, c, h), each (H,) or (B, H).
    """
    if not isinstance(params, LSTMParams):
        raise LSTMInputError(f"lstm_step: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    i_t = input_state(x_t, h_prev, *params.part("i"))
    j_t = input_gate(x_t, h_prev, *params.part("j"))
    f_t = forget_gate(x_t, h_prev, *params.part("f"))
    o_t = output_gate(x_t, h_prev, *params.part("o"))
    c_t = cell_state(c_prev, f_t, i_t, j_t)
    h_t = hidden_state(c_t, o_t)
    return Step(i_t, j_t, f_t, o_t, c_t, h_t)


def lstm_forward(xs, params: LSTMParams, h0=None, c0=None) -> Trace:
    """Run the cell over a sequence, starting from h0 and c0 (zeros if not given).

    xs: (T, D) for one sequence or (T, B, D) for a batch of B sequences; T >= 1.
    h0, c0: (H,) or (B, H).  Returns a `Trace` whose fields have shape (T, H) or (T, B, H).
    """
    if not isinstance(params, LSTMParams):
        raise LSTMInputError(f"lstm_forward: argument 'params' should be an LSTMParams, but got {type(params).__name__}")
    xs = as_float_array(xs, func="lstm_forward", arg="xs")
    if xs.ndim in (2, 3) and xs.shape[0] == 0:
        raise LSTMInputError(f"lstm_forward: argument 'xs' is an empty sequence (T=0, shape {xs.shape}); need T >= 1")
    check_finite(xs, func="lstm_forward", arg="xs")
    H, D = params.hidden_size, params.input_size
    if xs.ndim not in (2, 3) or xs.shape[-1] != D:
        raise LSTMInputError(
            f"lstm_forward: argument 'xs' should have shape (T, D={D}) or (T, B, D={D}), but got shape {xs.shape}"
        )
    state_shape = xs.shape[1:-1] + (H,)
    states = {}
    for name, value in (("h0", h0), ("c0", c0)):
        value = np.zeros(state_shape, dtype=xs.dtype) if value is None else as_float_array(value, func="lstm_forward", arg=name)
        if value.shape != state_shape:
            raise LSTMInputError(f"lstm_forward: argument '{name}' should have shape {state_shape}, but got shape {value.shape}")
        check_finite(value, func="lstm_forward", arg=name)
        states[name] = value
    h, c = states["h0"], states["c0"]
    steps = []
    for x_t in xs:
        step = lstm_step(x_t, h, c, params)
        h, c = step.h, step.c
        steps.append(step)
    return Trace(*(np.stack(values) for values in zip(*steps)))
