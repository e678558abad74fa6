"""The explorers of Part II, how the cell learns (chapters 8-9).

* `backward_data`, `backward_explorer`: where in time each part's gradient comes from, when the
  loss asks the running example's cell for its memory at step 49 (chapter 8);
* `gradient_flow_data`, `gradient_flow_explorer`: the error signal flowing back over time in
  the LSTM and in a plain RNN on the running example (chapter 9).

Colours are those of `lstm_book.teaching.figures.STYLE`, so a part of the cell has the same colour in every chapter.
"""

from __future__ import annotations

import numpy as np

from lstm_book.backward import error_signal, lstm_step_backward
from lstm_book.cell import PARTS, Step
from lstm_book.rnn import RNNParams, rnn_error_signal, rnn_forward
from lstm_book.tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params

from .description import Explorer, Panel, Slider
from .part1 import running_events, running_mirror, step_by_step

__all__ = ["backward_data", "backward_explorer", "gradient_flow_data", "gradient_flow_explorer", "LOSS_STEP"]

#: The step at which chapter 8's loss reads the running example's cell: the last step before the reset.
LOSS_STEP = 49


def backward_data(b_f: float = 1.0, w_xj: float = 10.0, b_j: float = -5.0, b_o: float = 0.0):
    """The running example's cell (with these four values changed) and the loss L = h_49, the hidden state at the
    last step before the reset. Returns (T,) arrays: t, x, the forward pass i, j, f, o, c, h, the error that
    reaches every step, ∂L/∂c_t ("dc") and ∂L/∂h_t ("dh"), and each step's share of the four biases' gradients,
    "db_i", "db_j", "db_f", "db_o" (their sums over t are ∂L/∂b_i, ...), and the same times 100, "share_i", ...
    (what the figure draws, so that the shares fill its panel). Every number comes from `lstm_step`,
    `error_signal` and `lstm_step_backward`.
    """
    example = running_example()
    xs, T = example.x, len(example.x)
    params = running_example_params(b_f=b_f, w_xj=w_xj, b_j=b_j, b_o=b_o)
    trace = step_by_step(xs, params)
    dh = np.zeros((T, 1))
    dh[LOSS_STEP - 1] = 1.0                     # step k is index k - 1 (steps are numbered 1..T)
    errors = error_signal(xs, params, trace, dh)
    shares = np.zeros((T, 4))
    zero = np.zeros(1)
    for t in range(T):   # each step's share: one step back with the error that reached it
        dc_next = errors.c[t + 1] * trace.f[t + 1] if t + 1 < T else zero
        h_prev, c_prev = (trace.h[t - 1], trace.c[t - 1]) if t else (zero, zero)
        g = lstm_step_backward(errors.h[t], dc_next, xs[t], h_prev, c_prev, Step(*(a[t] for a in trace)), params)
        shares[t] = g.b_i[0], g.b_j[0], g.b_f[0], g.b_o[0]
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=example.t, x=xs[:, 0], tanh_c=np.tanh(trace.c[:, 0]), dc=errors.c[:, 0], dh=errors.h[:, 0])
    data.update({f"db_{g}": shares[:, k] for k, g in enumerate(PARTS)})
    data.update({f"share_{g}": 100.0 * shares[:, k] for k, g in enumerate(PARTS)})   # drawn: in hundredths
    return data


def backward_explorer() -> Explorer:
    """Chapter 8: the forget bias, the input gate's weight and bias, and the output gate's bias of the running
    example; plots where in time each part's gradient comes from when the loss is L = h_49."""
    return Explorer(
        title="The backward pass on the running example, loss L = h_49",
        sliders=(Slider("b_f", -4.0, 8.0, 1.0), Slider("w_xj", -10.0, 10.0, 10.0), Slider("b_j", -8.0, 8.0, -5.0),
                 Slider("b_o", -8.0, 8.0, 0.0)),
        compute=backward_data,
        panels=(Panel(("c", "h")), Panel(("dc",)), Panel(("share_i", "share_j", "share_f", "share_o"))),
        caption=(f"Three panels over the 60 steps of the running example, for the loss L = h_{LOSS_STEP}: the cell "
                 "state and hidden state; the error that reaches the memory, ∂L/∂c_t; and each step's share of "
                 "the gradients of the four biases, times 100."),
        events=running_events(),
        mirror=running_mirror("lstm_backward", loss_step=LOSS_STEP),
    )


def gradient_flow_data(b_f: float = 4.0, w_hf: float = 0.0, w_hi: float = 0.0, w_hh: float = 3.0):
    """The error signal on the running example when the loss looks only at the last step (∂L/∂h_T = 1).

    The LSTM is the running example's cell with b_f, w_hf, w_hi changed; the plain RNN h_t = tanh(2 x_t + w_hh h_{t-1})
    reads the same signal. Returns (T,) arrays: t, x, the LSTM's forward pass (i, j, f, o, c, h), the sizes
    |∂L/∂c_t| ("dc") and |∂L/∂h_t| ("dh") of the LSTM, the memory path f_{t+1} ⋯ f_T ("path", ∂c_T/∂c_t along c
    alone), the RNN's states ("h_rnn") and |∂L/∂h_t| ("dh_rnn"), and the base-10 logarithms "log_dc", "log_path",
    "log_rnn" (floored at -100: an error of exactly 0 has no logarithm).
    """
    example = running_example()
    xs = example.x
    T = len(xs)
    params = running_example_params(b_f=b_f, w_hf=w_hf, w_hi=w_hi)
    trace = step_by_step(xs, params)
    dh = np.zeros((T, 1))
    dh[-1] = 1.0
    errors = error_signal(xs, params, trace, dh)
    rnn = RNNParams(np.array([[RUNNING_EXAMPLE_WEIGHTS["w_xi"]]]), np.array([[w_hh]]), np.zeros(1))
    hs = rnn_forward(xs, rnn)
    f = trace.f[:, 0]
    path = np.append(np.cumprod(f[:0:-1])[::-1], 1.0)        # at step t (index t - 1): f_{t+1} ⋯ f_T, and 1 at the last step
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=example.t, x=xs[:, 0], tanh_c=np.tanh(trace.c[:, 0]), dc=np.abs(errors.c[:, 0]),
                dh=np.abs(errors.h[:, 0]), path=path,
                h_rnn=hs[:, 0], dh_rnn=np.abs(rnn_error_signal(xs, rnn, hs, dh)[:, 0]))
    for log, name in (("log_dc", "dc"), ("log_path", "path"), ("log_rnn", "dh_rnn")):
        data[log] = np.log10(np.maximum(data[name], 1e-100))
    return data


def gradient_flow_explorer() -> Explorer:
    """Chapter 9: the forget bias and two recurrent weights of the LSTM, and the plain RNN's recurrent weight;
    plots how much of a loss at the last step reaches every earlier step (base-10 logarithms). Defaults: a long
    memory (b_f = 4, f ≈ 0.98) and an RNN strong enough to hold the pulse (w_hh = 3)."""
    return Explorer(
        title="The error signal flowing back in time, LSTM and plain RNN",
        sliders=(Slider("b_f", -4.0, 8.0, 4.0), Slider("w_hf", -10.0, 10.0, 0.0), Slider("w_hi", -10.0, 10.0, 0.0),
                 Slider("w_hh", 0.0, 4.0, 3.0)),
        compute=gradient_flow_data,
        panels=(Panel(("x",)), Panel(("f",)), Panel(("log_dc", "log_path", "log_rnn"))),
        caption=("Three panels over the 60 steps of the running example, for a loss at the last step: the input, "
                 "the LSTM's forget gate, and the base-10 logarithm of the error that reaches each step: the LSTM's "
                 "memory, the product of forget gates after that step, and a plain RNN's hidden state."),
        events=running_events(),
        mirror=running_mirror("gradient_flow", w_xh=RUNNING_EXAMPLE_WEIGHTS["w_xi"], b_h=0.0),
    )
