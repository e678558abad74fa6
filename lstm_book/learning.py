"""Figures and the explorer of Part II, how the cell learns (chapters 7-9).

* `draw_stacked_weights`: the four parts' weights stacked into one matrix (chapter 7);
* `draw_backward_flow`: the cell diagram with the error's way back, h → o → c → f → j → i (chapter 8);
* `backward_data`, `plot_backward`, `backward_explorer`: where in time each part's gradient comes from, when the
  loss asks the running example's cell for its memory at step 49 (chapter 8);
* `gradient_flow_data`, `plot_error_flow`, `gradient_flow_explorer`: the error signal flowing back over time in
  the LSTM and in a plain RNN on the running example (chapter 9).

Colours are those of `lstm_book.plots.STYLE`, so a part of the cell has the same colour in every chapter.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from .backward import error_signal, lstm_step_backward
from .cell import PARTS, Step, Trace, lstm_step
from .explorers import Explorer, Panel, Slider
from .plots import REFERENCE_COLOURS, STYLE, draw_cell
from .rnn import RNNParams, rnn_error_signal, rnn_forward
from .tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params

__all__ = ["draw_stacked_weights", "draw_backward_flow", "backward_data", "backward_explorer",
           "gradient_flow_data", "plot_error_flow", "gradient_flow_explorer", "ERROR_STYLE", "LOSS_STEP"]

_NAMES = {"i": "input state", "j": "input gate", "f": "forget gate", "o": "output gate"}


def draw_stacked_weights(D: int = 3, H: int = 2):
    """The stacked product z_t = W [x_t; h_{t-1}] + b drawn to scale: W has 4H rows (one block per part, in the
    order i, j, f, o) and D + H columns (W_x? meets x_t, W_h? meets h_{t-1}). Returns the Figure."""
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    cell = 0.42
    top = 4 * H * cell
    for k, g in enumerate(PARTS):
        colour = STYLE[g][0]
        y = top - (k + 1) * H * cell
        for x0, width, name in ((0.0, D, f"W_{{x{g}}}"), (D * cell, H, f"W_{{h{g}}}")):
            ax.add_patch(Rectangle((x0, y), width * cell, H * cell, facecolor=colour, alpha=0.22 if "x" in name else 0.4,
                                   edgecolor=colour, lw=1.6))
            ax.text(x0 + width * cell / 2, y + H * cell / 2, f"${name}$", ha="center", va="center", fontsize=12)
        ax.add_patch(Rectangle(((D + H) * cell + 1.55, y), cell, H * cell, facecolor=colour, alpha=0.3, edgecolor=colour))
        ax.text((D + H) * cell + 1.55 + cell / 2, y + H * cell / 2, f"$b_{g}$", ha="center", va="center", fontsize=11)
        ax.text(-0.15, y + H * cell / 2, f"{_NAMES[g]} ${g}_t$", ha="right", va="center", fontsize=10, color=colour)
    # the column [x_t; h_{t-1}]
    x_col = (D + H) * cell + 0.45
    ax.add_patch(Rectangle((x_col, top - D * cell), cell, D * cell, facecolor=STYLE["x"][0], alpha=0.25, edgecolor="#555"))
    ax.add_patch(Rectangle((x_col, top - (D + H) * cell), cell, H * cell, facecolor=STYLE["h"][0], alpha=0.15,
                           edgecolor="#555"))
    ax.text(x_col + cell / 2, top - D * cell / 2, "$x_t$", ha="center", va="center", fontsize=11)
    ax.text(x_col + cell / 2, top - D * cell - H * cell / 2, "$h_{t-1}$", ha="center", va="center", fontsize=10)
    ax.text((D + H) * cell + 1.2, top / 2, "$+$", ha="center", va="center", fontsize=16)
    ax.text((D + H) * cell / 2, top + 0.25, f"$W$: $(4H, D+H) = ({4 * H}, {D + H})$", ha="center", fontsize=11)
    ax.text(x_col + cell / 2, top + 0.25, "$(D+H,)$", ha="center", fontsize=10)
    ax.text((D + H) * cell + 1.55 + cell / 2, top + 0.25, "$b$", ha="center", fontsize=11)
    ax.text((D + H) * cell / 2, -0.4, f"$D = {D}$ columns meet $x_t$, $H = {H}$ meet $h_{{t-1}}$",
            ha="center", fontsize=10, color="#444")
    ax.set_xlim(-2.6, (D + H) * cell + 2.4)
    ax.set_ylim(-0.7, top + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(r"$z_t = W\,[x_t;\ h_{t-1}] + b$: one product gives the pre-activations of all four parts", fontsize=11)
    fig.tight_layout()
    return fig


#: The colour of the error signal in the figures of chapters 8 and 9.
ERROR_STYLE = {"error": "#7b241c", "rnn": "#16a085", "path": "#2471a3"}


def draw_backward_flow():
    """The cell diagram of Part I with the error's way back drawn over it: numbered in the order the backward
    pass meets the equations, 1 h → 2 o → 3 c → 4 f → 5 j → 6 i. Returns the Figure."""
    fig = draw_cell()
    ax = fig.axes[0]
    colour = ERROR_STYLE["error"]

    def back(start, end, label=None, at=None, **kw):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=colour, lw=1.8,
                                     linestyle=(0, (4, 2)), shrinkA=0, shrinkB=0, zorder=6))
        if label:
            ax.text(*(at or end), label, color=colour, fontsize=11, zorder=7, **kw)

    def number(xy, n):
        ax.text(*xy, str(n), color="white", fontsize=9, ha="center", va="center", zorder=8,
                bbox={"boxstyle": "circle,pad=0.18", "facecolor": colour, "edgecolor": colour})

    back((10.35, 2.75), (8.85, 2.75), r"$\partial L/\partial h_t$", at=(9.05, 2.3))
    number((9.55, 2.95), 1)
    back((8.15, 3.3), (8.15, 4.75))
    number((7.9, 4.05), 3)
    back((8.25, 2.8), (7.75, 2.35))
    number((7.95, 2.85), 2)
    back((9.6, 5.32), (5.3, 5.32), r"$\partial L/\partial c_t$", at=(6.4, 5.45))
    back((4.85, 4.75), (4.85, 3.9))
    back((4.75, 3.4), (4.35, 2.45))
    number((4.35, 3.05), 5)
    back((5.25, 3.4), (5.65, 2.45))
    number((5.65, 3.05), 6)
    back((2.4, 4.75), (2.4, 2.45))
    number((2.15, 3.6), 4)
    back((2.3, 5.32), (0.55, 5.32), r"$\partial L/\partial c_{t-1} = \partial L/\partial c_t \odot f_t$", at=(-0.2, 5.5))
    back((1.2, 0.6), (0.1, 0.6), r"$\partial L/\partial h_{t-1}$", at=(-0.25, 0.2))
    ax.set_ylim(-0.2, 6.0)
    ax.set_title("the error flows back: 1 h → 2 o → 3 c → 4 f → 5 j → 6 i", fontsize=11, color=colour)
    return fig


#: The step at which chapter 8's loss reads the running example's cell: the last step before the reset.
LOSS_STEP = 49


def _readable_trace(xs: np.ndarray, params) -> Trace:
    """The forward pass as the explorers of Part I compute it: `lstm_step`, one step at a time (the website's
    JavaScript mirror repeats exactly this arithmetic)."""
    h = c = np.zeros(params.hidden_size)
    steps = []
    for x_t in xs:
        step = lstm_step(x_t, h, c, params)
        h, c = step.h, step.c
        steps.append(step)
    return Trace(*(np.stack(values) for values in zip(*steps)))


def _running_events():
    example = running_example()
    return {"pulse": example.pulse, "distractions": example.distractions, "reset": example.reset}


def _mirror(name: str, **fixed) -> dict:
    example = running_example()
    return {"name": name, "x": example.x[:, 0], "t": example.t, "params": dict(RUNNING_EXAMPLE_WEIGHTS),
            "h0": 0.0, "c0": 0.0, "state": {}, **fixed}


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
    trace = _readable_trace(xs, params)
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
        events=_running_events(),
        mirror=_mirror("lstm_backward", loss_step=LOSS_STEP),
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
    trace = _readable_trace(xs, params)
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


_FLOOR = 1e-300  # the lowest the log-scale panel goes


def plot_error_flow(data):
    """Three panels over time: the input, the forget gate, and (log scale) the error that reaches each step from
    a loss at the last step: the LSTM's |∂L/∂c_t| and |∂L/∂h_t|, the memory path Π f, a plain RNN's |∂L/∂h_t|."""
    example = running_example()
    t = data["t"]
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(8.0, 6.4), gridspec_kw={"height_ratios": [1, 1, 2.4]})
    axes[0].plot(t, data["x"], color=STYLE["x"][0], drawstyle="steps-mid", lw=1.8, label=STYLE["x"][1])
    axes[1].plot(t, data["f"], color=STYLE["f"][0], marker="o", markersize=2.5, lw=1.8, label=STYLE["f"][1])
    axes[1].set_ylim(-0.05, 1.05)
    ax = axes[2]
    lines = [("dc", ERROR_STYLE["error"], "-", r"LSTM $|\partial L/\partial c_t|$"),
             ("dh", STYLE["h"][0], "-", r"LSTM $|\partial L/\partial h_t|$"),
             ("path", ERROR_STYLE["path"], "--", r"memory path $f_{t+1} \cdots f_T$"),
             ("dh_rnn", ERROR_STYLE["rnn"], "-", r"plain RNN $|\partial L/\partial h_t|$")]
    shown = []
    for name, colour, style, label in lines:
        values = np.where(data[name] > 0, data[name], np.nan)    # an error of exactly 0 has no logarithm: a gap
        if np.all(np.isnan(values[:-1])):
            label += " (exactly 0 before the last step)"
        ax.semilogy(t, values, color=colour, ls=style, lw=1.8, label=label,
                    marker="o" if style == "-" else None, markersize=2.2)
        shown.append(values)
    positive = np.concatenate(shown)
    low = max(np.nanmin(positive) / 5, _FLOOR)
    ax.set_ylim(low, 5.0)
    ax.set_ylabel("size of the error (log)")
    for a in axes:
        a.axvline(example.pulse, color="#27ae60", alpha=0.35, lw=2.5, zorder=0)
        a.axvline(example.reset, color="#2471a3", alpha=0.35, lw=2.5, zorder=0)
        a.grid(alpha=0.25)
        a.legend(loc="lower left" if a is ax else "upper right", fontsize=8, framealpha=0.85)
    axes[-1].set_xlabel("time step $t$ (the loss looks at the last step; the error flows right to left)")
    axes[0].set_title("the error signal flowing back in time", fontsize=11)
    fig.tight_layout()
    return fig


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
        events=_running_events(),
        mirror=_mirror("gradient_flow", w_xh=RUNNING_EXAMPLE_WEIGHTS["w_xi"], b_h=0.0),
    )
