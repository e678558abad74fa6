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
`lstm_book.fast`, reusing the forward pass's `Trace` (`lstm_book.gradients.gradient_check` compares it with central
finite differences). Names: `dX` is ∂L/∂X, with the shape of X. Each public function checks its inputs once; the
loops (`_step_backward`, `_backward`) run on the checked arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .cell import LSTMParams, Step, Trace, _check_inputs
from .fast import _forward, _stack, _unstack
from .validation import LSTMInputError, as_float_array, check_finite, labelled, no_overflow, shapes, unchecked

__all__ = [
    "hidden_state_backward", "output_gate_backward", "cell_state_backward", "forget_gate_backward",
    "input_gate_backward", "input_state_backward", "linear_backward",
    "StepGradients", "Gradients", "lstm_step_backward", "lstm_backward", "ErrorSignal", "error_signal",
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

_PARAMS = LSTMParams.NAMES


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
    x_t, h_prev, c_prev, dh_t, dc_next = _check_inputs("lstm_step_backward", params, x_t=x_t, h_prev=h_prev,
                                                       c_prev=c_prev, dh_t=dh_t, dc_next=dc_next)
    step = _check_step(step, h_prev.shape)
    with no_overflow("lstm_step_backward", {"dh_t": dh_t, "dc_next": dc_next, "x_t": x_t, **labelled(params)}):
        return _step_backward(dh_t, dc_next, x_t, h_prev, c_prev, step, params)


def _step_backward(dh_t, dc_next, x_t, h_prev, c_prev, step: Step, params) -> StepGradients:
    """`lstm_step_backward` on checked inputs (`error_signal` runs it at every step): the six backward functions,
    each run as its body, `unchecked`, since every array it receives was checked once by the caller."""
    dc_t, do_t = unchecked(hidden_state_backward)(dh_t, step.c, step.o)
    dx_o, dh_o, *d_o = unchecked(output_gate_backward)(do_t, step.o, x_t, h_prev, params["W_xo"], params["W_ho"])
    dc_t = dc_t + dc_next                      # the memory's error: through h_t, and from c_{t+1}
    dc_prev, df_t, di_t, dj_t = unchecked(cell_state_backward)(dc_t, c_prev, step.f, step.i, step.j)
    dx_f, dh_f, *d_f = unchecked(forget_gate_backward)(df_t, step.f, x_t, h_prev, params["W_xf"], params["W_hf"])
    dx_j, dh_j, *d_j = unchecked(input_gate_backward)(dj_t, step.j, x_t, h_prev, params["W_xj"], params["W_hj"])
    dx_i, dh_i, *d_i = unchecked(input_state_backward)(di_t, step.i, x_t, h_prev, params["W_xi"], params["W_hi"])
    return StepGradients(dx_i + dx_j + dx_f + dx_o, dh_i + dh_j + dh_f + dh_o, dc_prev,
                         *d_i, *d_j, *d_f, *d_o)


def _check_step(step, shape: tuple) -> Step:
    """The `Step` of `lstm_step_backward`: six finite arrays (i, j, f, o, c, h), each of the states' shape."""
    if not isinstance(step, Step) or isinstance(step, Trace):
        raise LSTMInputError(f"lstm_step_backward: argument 'step' should be the Step that lstm_step returned, "
                             f"but got {type(step).__name__}")
    fields = []
    for name, value in step._asdict().items():
        value = as_float_array(value, func="lstm_step_backward", arg=f"step.{name}")
        if value.shape != shape:
            raise LSTMInputError(f"lstm_step_backward: argument 'step' does not belong to these inputs: step.{name} "
                                 f"should have the shape of 'h_prev', {shape}, but got shape {value.shape}")
        check_finite(value, func="lstm_step_backward", arg=f"step.{name}")
        fields.append(value)
    return Step(*fields)


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
    with no_overflow("lstm_backward", {"xs": xs, "dh": dh, "h0": h0, "c0": c0, **labelled(params)}):
        grads = _backward(xs, params, trace, dh, h0, c0)
    if unbatched:
        grads = grads._replace(xs=grads.xs[:, 0], h0=grads.h0[0], c0=grads.c0[0])
    return grads


def _backward(xs, params: LSTMParams, trace: Trace, dh, h0, c0) -> Gradients:
    """The loop of `lstm_backward` on checked, batched inputs: xs (T, B, D) or (T, B) character ids (chapter 12;
    then no gradient for xs: None), trace fields and dh (T, B, H)."""
    T, B = xs.shape[:2]
    H = h0.shape[-1]
    ids = xs.dtype.kind in "iu"                                        # (T, B) character ids (chapter 12)
    dtype = np.result_type(h0, c0, dh, trace.h, *params.values(), *(() if ids else (xs,)))
    W_x, W_h, _ = (a.astype(dtype, copy=False) for a in _stack(params))
    i, j, f, o, c = trace.i, trace.j, trace.f, trace.o, trace.c
    # The local derivatives do not depend on the error that will arrive, so they are computed for all steps at
    # once, before the loop: what ∂L/∂h_t and ∂L/∂c_t are multiplied by on their way to each pre-activation.
    # They are written in place (out=, *=): a new array of this size costs more than the arithmetic in it.
    tanh_c = np.tanh(c)
    via_h_to_c = np.square(tanh_c)
    np.subtract(1, via_h_to_c, out=via_h_to_c)
    via_h_to_c *= o                                                    # (1): ∂h_t/∂c_t = o_t (1 − tanh² c_t)
    via_h_to_zo = np.subtract(1, o)
    via_h_to_zo *= o
    via_h_to_zo *= tanh_c                                              # (1), (2): ∂h_t/∂z_o = tanh c_t o_t (1 − o_t)
    via_c = np.empty((T, B, 3, H), dtype)                              # ∂c_t/∂z for the parts i, j, f:
    via_i, via_j, via_f = via_c[:, :, 0], via_c[:, :, 1], via_c[:, :, 2]
    np.square(i, out=via_i)
    np.subtract(1, via_i, out=via_i)
    via_i *= j                                                         # (3), (6): j_t (1 − i_t²)
    np.subtract(1, j, out=via_j)
    via_j *= j
    via_j *= i                                                         # (3), (5): i_t j_t (1 − j_t)
    np.subtract(1, f, out=via_f)
    via_f *= f
    via_f[0] *= c0
    via_f[1:] *= c[:-1]                                                # (3), (4): c_{t-1} f_t (1 − f_t)
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
    if ids:  # the lookup's backward: column k of dW_x sums ∂L/∂z_t over the steps whose input was k. That is the
        # product with the one-hot rows, which BLAS does faster than numpy's scatter-add (np.add.at)
        one_hot = np.zeros((T * B, W_x.shape[1]), dtype)
        one_hot[np.arange(T * B), xs.reshape(T * B)] = 1
        dW_x, dxs = dz.T @ one_hot, None                               # no gradient for integer ids
    else:
        dW_x = dz.T @ xs.reshape(T * B, -1)
        dxs = (dz @ W_x).reshape(xs.shape)
    dW_h = dz[B:].T @ trace.h[:-1].reshape(-1, H) + dz[:B].T @ h0  # step t's h_{t-1}: h0, then h_1 … h_{T-1}
    db = dz.sum(axis=0)
    named = {**_unstack(dW_x, "W_x"), **_unstack(dW_h, "W_h"), **_unstack(db, "b")}
    return Gradients(**{name: named[name] for name in _PARAMS}, xs=dxs, h0=dh_next, c0=dc_next)


def _check_backward(xs, params, trace, dh, h0, c0, func: str = "lstm_backward"):
    """The checks of `lstm_backward`: the forward inputs as in `lstm_forward`, then the trace and dh against them."""
    xs, h0, c0 = _check_inputs(func, params, xs=xs, h0=h0, c0=c0)
    if not isinstance(trace, Trace):
        raise LSTMInputError(f"{func}: argument 'trace' should be the Trace that lstm_forward returned, "
                             f"but got {type(trace).__name__}")
    want = xs.shape[:-1] + (params.hidden_size,)
    fields = []
    for name, value in trace._asdict().items():
        value = as_float_array(value, func=func, arg=f"trace.{name}")
        if value.shape != want:
            raise LSTMInputError(
                f"{func}: argument 'trace' does not belong to these inputs: trace.{name} should have shape "
                f"{want} (T, {'B, ' if xs.ndim == 3 else ''}H from 'xs' {xs.shape} and 'params'), but got shape "
                f"{value.shape}")
        check_finite(value, func=func, arg=f"trace.{name}")
        fields.append(value)
    trace = Trace(*fields)
    dh = as_float_array(dh, func=func, arg="dh")
    if dh.shape != want:
        raise LSTMInputError(f"{func}: argument 'dh' should have the shape of trace.h, {want}, "
                             f"but got shape {dh.shape}")
    check_finite(dh, func=func, arg="dh")
    # The first step, recomputed: a trace of other inputs (other weights, other h0 or c0) is caught here.
    batched = (xs, h0, c0) if xs.ndim == 3 else (xs[:1, None], h0[None], c0[None])
    first = _forward(batched[0][:1], params, batched[1], batched[2])
    c1, h1 = first.c, first.h
    tol = 1e-4 if np.result_type(trace.c, *params.as_dict().values()) == np.float32 else 1e-9
    if not (np.allclose(c1.reshape(trace.c[0].shape), trace.c[0], rtol=tol, atol=tol)
            and np.allclose(h1.reshape(trace.h[0].shape), trace.h[0], rtol=tol, atol=tol)):
        raise LSTMInputError(f"{func}: argument 'trace' does not belong to these inputs: its first step "
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
    xs, h0, c0, trace, dh = _check_backward(xs, params, trace, dh, h0, c0, func="error_signal")
    h_prev = np.concatenate([h0[None], trace.h[:-1]])
    c_prev = np.concatenate([c0[None], trace.c[:-1]])
    errors_h, errors_c = np.empty_like(dh), np.empty_like(dh)
    dh_next, dc_next = np.zeros_like(dh[0]), np.zeros_like(dh[0])
    with no_overflow("error_signal", {"xs": xs, "dh": dh, "h0": h0, "c0": c0, **labelled(params)}):
        for t in range(len(xs) - 1, -1, -1):                                # checked once, above
            step = Step(*(a[t] for a in trace))
            errors_h[t] = dh[t] + dh_next                                   # all of ∂L/∂h_t
            errors_c[t] = unchecked(hidden_state_backward)(errors_h[t], step.c, step.o)[0] + dc_next   # ∂L/∂c_t
            g = _step_backward(errors_h[t], dc_next, xs[t], h_prev[t], c_prev[t], step, params)
            dh_next, dc_next = g.h_prev, g.c_prev
    return ErrorSignal(errors_h, errors_c)
