"""The backward pass, equation by equation (chapter 8).

A loss L depends on the hidden states h_1 … h_T. Going back through one step, the error signal meets the six
equations in the order of Part I, h → o → c → f → j → i, and each equation's backward function turns the
gradient of its output into the gradients of its inputs:

    hidden_state_backward   h_t = tanh(c_t) ⊙ o_t               ∂L/∂h_t  →  ∂L/∂c_t (through h_t), ∂L/∂o_t
    output_gate_backward    o_t = σ(W_xo x_t + W_ho h_{t-1} + b_o)
    cell_state_backward     c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t      ∂L/∂c_t  →  ∂L/∂c_{t-1}, ∂L/∂f_t, ∂L/∂i_t, ∂L/∂j_t
    forget_gate_backward    f_t = σ(W_xf x_t + W_hf h_{t-1} + b_f)
    input_gate_backward     j_t = σ(W_xj x_t + W_hj h_{t-1} + b_j)
    input_state_backward    i_t = tanh(W_xi x_t + W_hi h_{t-1} + b_i)

The four gate functions end in the same linear part, `linear_backward`. `lstm_step_backward` chains the six for
one step. `lstm_backward` runs backpropagation through time over a whole sequence with the stacked weights of
`lstm_book.fast`, reusing the forward pass's `Trace`. `gradient_check` compares any gradient with central finite
differences. Names: `dX` is ∂L/∂X, with the shape of X.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from .cell import LSTMParams, Step, Trace, _check_inputs
from .fast import _forward, _named, stack_params, unstack
from .validation import LSTMInputError, as_float_array, check_finite, no_overflow, shapes, trusted

__all__ = [
    "hidden_state_backward", "output_gate_backward", "cell_state_backward", "forget_gate_backward",
    "input_gate_backward", "input_state_backward", "linear_backward",
    "StepGradients", "Gradients", "lstm_step_backward", "lstm_backward", "ErrorSignal", "error_signal",
    "GradientCheck", "gradient_check", "clip_by_global_norm",
]


# ------------------------------------------------------------------ one equation at a time, h → o → c → f → j → i

@shapes(dh_t="*B H", c_t="*B H", o_t="*B H")
def hidden_state_backward(dh_t, c_t, o_t):
    """Backward of equation (1), h_t = tanh(c_t) ⊙ o_t.

    dh_t: ∂L/∂h_t;  c_t, o_t: from the forward pass;  all (H,) or (B, H).
    Returns (dc_t, do_t): ∂L/∂o_t, and the part of ∂L/∂c_t that flows through h_t (tanh' = 1 − tanh²).
    """
    tanh_c = np.tanh(c_t)
    return dh_t * o_t * (1.0 - tanh_c**2), dh_t * tanh_c


@shapes(dz="*B H", x_t="*B D", h_prev="*B H", W_x="H D", W_h="H H")
def linear_backward(dz, x_t, h_prev, W_x, W_h):
    """Backward of the linear part z = W_x x_t + W_h h_{t-1} + b that every gate shares.

    dz: ∂L/∂z, (H,) or (B, H);  x_t: (D,) or (B, D);  h_prev: (H,) or (B, H);  W_x: (H, D);  W_h: (H, H).
    Returns (dx_t, dh_prev, dW_x, dW_h, db). The weights' gradients are summed over a batch.
    """
    dz2, x2, h2 = np.atleast_2d(dz, x_t, h_prev)        # one sequence is a batch of one
    return dz @ W_x, dz @ W_h, dz2.T @ x2, dz2.T @ h2, dz2.sum(axis=0)


@shapes(do_t="*B H", o_t="*B H", x_t="*B D", h_prev="*B H", W_xo="H D", W_ho="H H")
def output_gate_backward(do_t, o_t, x_t, h_prev, W_xo, W_ho):
    """Backward of equation (2), o_t = σ(W_xo x_t + W_ho h_{t-1} + b_o).

    do_t: ∂L/∂o_t and o_t: (H,) or (B, H); x_t, h_prev, W_xo, W_ho as in `output_gate`.
    Returns (dx_t, dh_prev, dW_xo, dW_ho, db_o), with σ'(z) = σ(z)(1 − σ(z)) = o_t (1 − o_t).
    """
    return linear_backward(do_t * o_t * (1.0 - o_t), x_t, h_prev, W_xo, W_ho)


@shapes(dc_t="*B H", c_prev="*B H", f_t="*B H", i_t="*B H", j_t="*B H")
def cell_state_backward(dc_t, c_prev, f_t, i_t, j_t):
    """Backward of equation (3), c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t.

    dc_t: all of ∂L/∂c_t (through h_t and through c_{t+1});  c_prev, f_t, i_t, j_t: from the forward pass.
    All (H,) or (B, H). Returns (dc_prev, df_t, di_t, dj_t): each factor of a product gets the other factor.
    """
    return dc_t * f_t, dc_t * c_prev, dc_t * j_t, dc_t * i_t


@shapes(df_t="*B H", f_t="*B H", x_t="*B D", h_prev="*B H", W_xf="H D", W_hf="H H")
def forget_gate_backward(df_t, f_t, x_t, h_prev, W_xf, W_hf):
    """Backward of equation (4), f_t = σ(W_xf x_t + W_hf h_{t-1} + b_f).

    df_t: ∂L/∂f_t and f_t: (H,) or (B, H). Returns (dx_t, dh_prev, dW_xf, dW_hf, db_f); σ' = f_t (1 − f_t).
    """
    return linear_backward(df_t * f_t * (1.0 - f_t), x_t, h_prev, W_xf, W_hf)


@shapes(dj_t="*B H", j_t="*B H", x_t="*B D", h_prev="*B H", W_xj="H D", W_hj="H H")
def input_gate_backward(dj_t, j_t, x_t, h_prev, W_xj, W_hj):
    """Backward of equation (5), j_t = σ(W_xj x_t + W_hj h_{t-1} + b_j).

    dj_t: ∂L/∂j_t and j_t: (H,) or (B, H). Returns (dx_t, dh_prev, dW_xj, dW_hj, db_j); σ' = j_t (1 − j_t).
    """
    return linear_backward(dj_t * j_t * (1.0 - j_t), x_t, h_prev, W_xj, W_hj)


@shapes(di_t="*B H", i_t="*B H", x_t="*B D", h_prev="*B H", W_xi="H D", W_hi="H H")
def input_state_backward(di_t, i_t, x_t, h_prev, W_xi, W_hi):
    """Backward of equation (6), i_t = tanh(W_xi x_t + W_hi h_{t-1} + b_i).

    di_t: ∂L/∂i_t and i_t: (H,) or (B, H). Returns (dx_t, dh_prev, dW_xi, dW_hi, db_i); tanh' = 1 − i_t².
    """
    return linear_backward(di_t * (1.0 - i_t**2), x_t, h_prev, W_xi, W_hi)


# ------------------------------------------------------------------ one step, and a whole sequence

_PARAMS = tuple(LSTMParams.__dataclass_fields__)


def _gradients(name: str, first: tuple[str, ...], last: tuple[str, ...], doc: str):
    """A NamedTuple of arrays: the fields `first`, the twelve parameters named as in `LSTMParams`, then `last`."""
    fields = NamedTuple(f"_{name}", [(field, np.ndarray) for field in (*first, *_PARAMS, *last)])
    return type(name, (fields,), {"__slots__": (), "__doc__": doc,
                                  "params": lambda self: {k: getattr(self, k) for k in _PARAMS}})


#: What one step sends back: fields x_t, h_prev, c_prev (∂L/∂x_t, ∂L/∂h_{t-1}, ∂L/∂c_{t-1}), then this step's
#: share of the twelve parameters' gradients, W_xi … b_o.
StepGradients = _gradients("StepGradients", ("x_t", "h_prev", "c_prev"), (),
                           "What one step sends back: ∂L/∂x_t, ∂L/∂h_{t-1}, ∂L/∂c_{t-1} (fields x_t, h_prev, "
                           "c_prev), and this step's share of the parameters' gradients, named as in LSTMParams.")

def lstm_step_backward(dh_t, dc_next, x_t, h_prev, c_prev, step: Step, params: LSTMParams) -> StepGradients:
    """One step back, equation by equation in the order h → o → c → f → j → i.

    dh_t: all of ∂L/∂h_t (from the loss at step t and from step t+1);  dc_next: the part of ∂L/∂c_t that comes
    back from c_{t+1} (zeros at the last step);  x_t, h_prev, c_prev, step: the step's inputs and its `Step`
    from the forward pass;  params: the `LSTMParams`. Arrays (H,) or (B, H), x_t (D,) or (B, D).
    """
    with trusted():
        dc_t, do_t = hidden_state_backward(dh_t, step.c, step.o)
        dx_o, dh_o, *d_o = output_gate_backward(do_t, step.o, x_t, h_prev, params.W_xo, params.W_ho)
        dc_t = dc_t + dc_next                      # the memory's error: through h_t, and from c_{t+1}
        dc_prev, df_t, di_t, dj_t = cell_state_backward(dc_t, c_prev, step.f, step.i, step.j)
        dx_f, dh_f, *d_f = forget_gate_backward(df_t, step.f, x_t, h_prev, params.W_xf, params.W_hf)
        dx_j, dh_j, *d_j = input_gate_backward(dj_t, step.j, x_t, h_prev, params.W_xj, params.W_hj)
        dx_i, dh_i, *d_i = input_state_backward(di_t, step.i, x_t, h_prev, params.W_xi, params.W_hi)
    return StepGradients(dx_i + dx_j + dx_f + dx_o, dh_i + dh_j + dh_f + dh_o, dc_prev,
                         *d_i, *d_j, *d_f, *d_o)


#: The gradients of a loss with respect to every input of `lstm_forward`: the twelve parameters W_xi … b_o, named
#: as in `LSTMParams`, then xs, h0, c0, each with the shape and dtype of what it is the gradient of.
#: ``grads.params()`` gives the twelve as a dict, like `LSTMParams.as_dict`.
Gradients = _gradients("Gradients", (), ("xs", "h0", "c0"),
                       "The gradients of a loss with respect to every input of lstm_forward: the twelve parameters, "
                       "named as in LSTMParams, and xs, h0, c0. .params() gives the twelve as a dict.")


def lstm_backward(xs, params: LSTMParams, trace: Trace, dh, h0=None, c0=None) -> Gradients:
    """Backpropagation through time: the gradients of a loss L, given dh = ∂L/∂h_t for every t.

    xs, params, h0, c0: what `lstm_forward` was given (xs (T, D) or (T, B, D); h0, c0 (H,) or (B, H), zeros if
    None);  trace: the `Trace` it returned, reused instead of recomputed;  dh: (T, H) or (T, B, H), the shape
    of trace.h. Returns `Gradients` (the twelve parameters, xs, h0, c0). A trace that does not belong to these
    inputs is refused.
    """
    xs, h0, c0, trace, dh = _check_backward(xs, params, trace, dh, h0, c0)
    unbatched = xs.ndim == 2
    if unbatched:  # one sequence is a batch of one
        xs, h0, c0, dh = xs[:, None], h0[None], c0[None], dh[:, None]
        trace = Trace(*(a[:, None] for a in trace))
    with no_overflow("lstm_backward", {"xs": xs, "dh": dh, "h0": h0, "c0": c0, **_named(params)}):
        grads = _backward(xs, params, trace, dh, h0, c0)
    if unbatched:
        grads = grads._replace(xs=grads.xs[:, 0], h0=grads.h0[0], c0=grads.c0[0])
    return grads


def _backward(xs, params: LSTMParams, trace: Trace, dh, h0, c0) -> Gradients:
    """The loop of `lstm_backward` on checked, batched inputs: xs (T, B, D), trace fields and dh (T, B, H)."""
    T, B, _ = xs.shape
    H = params.hidden_size
    dtype = np.result_type(xs, h0, c0, dh, trace.h, *params.as_dict().values())
    W_x, W_h, _ = (a.astype(dtype, copy=False) for a in stack_params(params))
    i, j, f, o, c = trace.i, trace.j, trace.f, trace.o, trace.c
    c_prev = np.concatenate([c0[None], c[:-1]])
    h_prev = np.concatenate([h0[None], trace.h[:-1]])
    # The local derivatives do not depend on the error that will arrive, so they are computed for all steps at
    # once, before the loop: what ∂L/∂h_t and ∂L/∂c_t are multiplied by on their way to each pre-activation.
    tanh_c = np.tanh(c)
    via_h_to_c = o * (1 - tanh_c**2)                                   # (1): ∂h_t/∂c_t
    via_h_to_zo = tanh_c * o * (1 - o)                                 # (1), (2): ∂h_t/∂z_o
    via_c = np.stack([j * (1 - i**2),                                  # (3), (6): ∂c_t/∂z_i
                      i * j * (1 - j),                                 # (3), (5): ∂c_t/∂z_j
                      c_prev * f * (1 - f)], axis=2)                   # (3), (4): ∂c_t/∂z_f
    dz = np.empty((T, B, 4, H), dtype)                                 # ∂L/∂z_t, parts i, j, f, o
    dh_next = np.zeros((B, H), dtype)                                  # what h_t receives from step t+1
    dc_next = np.zeros((B, H), dtype)                                  # what c_t receives from c_{t+1}
    for t in range(T - 1, -1, -1):
        dh_t = dh[t] + dh_next                                         # h_t: the loss's error + the next step's
        np.multiply(dh_t, via_h_to_zo[t], out=dz[t, :, 3])             # h → o
        dc_t = dh_t * via_h_to_c[t]                                    # h → c
        dc_t += dc_next                                                #     + the memory's error from c_{t+1}
        np.multiply(dc_t[:, None], via_c[t], out=dz[t, :, :3])         # c → f, j, i
        dc_next = dc_t * f[t]                                          # c_t → c_{t-1}: times f_t
        dh_next = dz[t].reshape(B, 4 * H) @ W_h                        # every part → h_{t-1}
    # The weights: each step's share, summed over the steps (and the batch) in one product per matrix.
    dz = dz.reshape(T * B, 4 * H)
    dW_x = dz.T @ xs.reshape(T * B, -1)
    dW_h = dz.T @ h_prev.reshape(T * B, H)
    db = dz.sum(axis=0)
    dxs = (dz @ W_x).reshape(xs.shape)
    named = {**unstack(dW_x, "W_x"), **unstack(dW_h, "W_h"), **unstack(db, "b")}
    return Gradients(**{name: named[name] for name in _PARAMS}, xs=dxs, h0=dh_next, c0=dc_next)


def _check_backward(xs, params, trace, dh, h0, c0):
    """The checks of `lstm_backward`: the forward inputs as in `lstm_forward`, then the trace and dh against them."""
    xs, h0, c0 = _check_inputs("lstm_backward", params, xs=xs, h0=h0, c0=c0)
    if not isinstance(trace, Trace):
        raise LSTMInputError(f"lstm_backward: argument 'trace' should be the Trace that lstm_forward returned, "
                             f"but got {type(trace).__name__}")
    want = xs.shape[:-1] + (params.hidden_size,)
    fields = []
    for name, value in trace._asdict().items():
        value = as_float_array(value, func="lstm_backward", arg=f"trace.{name}")
        if value.shape != want:
            raise LSTMInputError(
                f"lstm_backward: argument 'trace' does not belong to these inputs: trace.{name} should have shape "
                f"{want} (T, {'B, ' if xs.ndim == 3 else ''}H from 'xs' {xs.shape} and 'params'), but got shape "
                f"{value.shape}")
        check_finite(value, func="lstm_backward", arg=f"trace.{name}")
        fields.append(value)
    trace = Trace(*fields)
    dh = as_float_array(dh, func="lstm_backward", arg="dh")
    if dh.shape != want:
        raise LSTMInputError(f"lstm_backward: argument 'dh' should have the shape of trace.h, {want}, "
                             f"but got shape {dh.shape}")
    check_finite(dh, func="lstm_backward", arg="dh")
    # The first step, recomputed: a trace of other inputs (other weights, other h0 or c0) is caught here.
    batched = (xs, h0, c0) if xs.ndim == 3 else (xs[:1, None], h0[None], c0[None])
    _, c1, h1 = _forward(batched[0][:1], params, batched[1], batched[2])
    tol = 1e-4 if np.result_type(trace.c, *params.as_dict().values()) == np.float32 else 1e-9
    if not (np.allclose(c1.reshape(trace.c[0].shape), trace.c[0], rtol=tol, atol=tol)
            and np.allclose(h1.reshape(trace.h[0].shape), trace.h[0], rtol=tol, atol=tol)):
        raise LSTMInputError("lstm_backward: argument 'trace' does not belong to these inputs: its first step "
                             "differs from lstm_forward(xs, params, h0, c0) at t = 0. Pass the trace of this very "
                             "forward pass (same xs, params, h0, c0).")
    return xs, h0, c0, trace, dh


class ErrorSignal(NamedTuple):
    """The error that reaches each step: h[t] = ∂L/∂h_t and c[t] = ∂L/∂c_t, through every later step.
    Each (T, H) or (T, B, H)."""

    h: np.ndarray
    c: np.ndarray


def error_signal(xs, params: LSTMParams, trace: Trace, dh, h0=None, c0=None) -> ErrorSignal:
    """Backpropagation through time, one `lstm_step_backward` at a time, keeping the error at every step.

    Arguments as for `lstm_backward`. Returns `ErrorSignal`: ∂L/∂h_t (the loss's own dh[t] plus what step t+1
    sends back) and ∂L/∂c_t (through h_t, plus what c_{t+1} sends back) for every t. Chapter 9 plots them.
    """
    xs, h0, c0, trace, dh = _check_backward(xs, params, trace, dh, h0, c0)
    h_prev = np.concatenate([h0[None], trace.h[:-1]])
    c_prev = np.concatenate([c0[None], trace.c[:-1]])
    errors_h, errors_c = np.empty_like(dh), np.empty_like(dh)
    dh_next, dc_next = np.zeros_like(dh[0]), np.zeros_like(dh[0])
    with trusted():
        for t in range(len(xs) - 1, -1, -1):
            step = Step(*(a[t] for a in trace))
            errors_h[t] = dh[t] + dh_next                                   # all of ∂L/∂h_t
            errors_c[t] = hidden_state_backward(errors_h[t], step.c, step.o)[0] + dc_next   # all of ∂L/∂c_t
            g = lstm_step_backward(errors_h[t], dc_next, xs[t], h_prev[t], c_prev[t], step, params)
            dh_next, dc_next = g.h_prev, g.c_prev
    return ErrorSignal(errors_h, errors_c)


# ------------------------------------------------------------------ checking a gradient, and clipping one

class GradientCheck(NamedTuple):
    """The result of `gradient_check`: for each checked array, the largest relative and absolute error.

    `passed` is True when every relative error is below `tolerance`. Printing it gives one line per array.
    """

    relative: dict[str, float]
    absolute: dict[str, float]
    tolerance: float
    entries: int

    @property
    def passed(self) -> bool:
        return max(self.relative.values()) < self.tolerance

    @property
    def max_relative(self) -> float:
        return max(self.relative.values())

    def __str__(self) -> str:
        lines = [f"{'':<7}{'max relative error':>20}{'max absolute error':>20}"]
        lines += [f"{name:<7}{self.relative[name]:>20.1e}{self.absolute[name]:>20.1e}" for name in self.relative]
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"{self.entries} entries checked; largest relative error {self.max_relative:.1e} "
                     f"(tolerance {self.tolerance:.0e}): {verdict}")
        return "\n".join(lines)


def gradient_check(loss: Callable[..., float], inputs: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], eps: float = 1e-6, tolerance: float = 1e-6) -> GradientCheck:
    """Compare analytic gradients with central finite differences, entry by entry, in float64.

    loss: a function of the arrays in `inputs` (passed as keyword arguments) returning a number.
    grads: the analytic ∂loss/∂(each input) to check, by the same names (a subset of inputs is fine).
    For every entry k the numerical gradient is (loss(a + eps·e_k) − loss(a − eps·e_k)) / (2·eps), and the
    relative error is |analytic − numerical| / max(|analytic|, |numerical|, 1e-3): relative for gradients
    above 1e-3, absolute below (where rounding, about 1e-10 here, would swamp a relative measure).
    A correct float64 backward pass gives 1e-8 or less; a wrong equation gives 1e-3 or more.
    """
    if not callable(loss):
        raise LSTMInputError(f"gradient_check: argument 'loss' should be a function, but got {type(loss).__name__}")
    if not (isinstance(eps, float) and 0 < eps < 1e-2):
        raise LSTMInputError(f"gradient_check: argument 'eps' should be a float in (0, 1e-2), but got {eps!r}")
    base = {}
    for name, value in inputs.items():
        value = as_float_array(value, func="gradient_check", arg=f"inputs[{name!r}]").astype(np.float64)
        check_finite(value, func="gradient_check", arg=f"inputs[{name!r}]")
        base[name] = value
    unknown = set(grads) - set(base)
    if unknown or not grads:
        raise LSTMInputError(f"gradient_check: argument 'grads' should name some of the inputs {sorted(base)}, "
                             f"but got {sorted(grads)}")
    relative, absolute, entries = {}, {}, 0
    for name, analytic in grads.items():
        analytic = np.asarray(analytic, dtype=np.float64)
        if analytic.shape != base[name].shape:
            raise LSTMInputError(f"gradient_check: grads[{name!r}] should have the shape of inputs[{name!r}], "
                                 f"{base[name].shape}, but got shape {analytic.shape}")
        numerical = np.empty_like(analytic)
        for k in np.ndindex(analytic.shape):
            values = dict(base)
            values[name] = base[name].copy()
            values[name][k] += eps
            plus = float(loss(**values))
            values[name][k] -= 2 * eps
            minus = float(loss(**values))
            numerical[k] = (plus - minus) / (2 * eps)
        error = np.abs(analytic - numerical)
        scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numerical)), 1e-3)
        relative[name] = float((error / scale).max())
        absolute[name] = float(error.max())
        entries += analytic.size
    return GradientCheck(relative, absolute, tolerance, entries)


def clip_by_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients down together when their joint norm exceeds max_norm (chapter 9).

    grads: name -> array. The global norm is sqrt(sum of squares of every entry of every array). If it is above
    `max_norm`, every array is multiplied by max_norm / norm, so the direction is kept and the norm becomes
    max_norm; otherwise nothing changes. Returns (the clipped gradients, the norm before clipping).
    """
    if not (isinstance(max_norm, (int, float, np.floating)) and np.isfinite(max_norm) and max_norm > 0):
        raise LSTMInputError(f"clip_by_global_norm: argument 'max_norm' should be a positive number, but got {max_norm!r}")
    arrays = {}
    for name, value in grads.items():
        arrays[name] = as_float_array(value, func="clip_by_global_norm", arg=f"grads[{name!r}]")
        check_finite(arrays[name], func="clip_by_global_norm", arg=f"grads[{name!r}]")
    norm = float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: a * a.dtype.type(scale) for name, a in arrays.items()}, norm
