"""Figures of Part II, how the cell learns (chapters 7-9).

* `draw_stacked_weights`: the four parts' weights stacked into one matrix (chapter 7);
* `draw_backward_flow`: the cell diagram with the error's way back, h → o → c → f → j → i (chapter 8);
* `draw_unrolled_backward`: three steps side by side, where the error splits and where it sums (chapter 8);
* `plot_error_flow`: the error signal flowing back over time in the LSTM and in a plain RNN (chapter 9), drawn
  from `lstm_book.teaching.explorers.gradient_flow_data`.

Colours are those of `lstm_book.teaching.figures.STYLE`, so a part of the cell has the same colour in every chapter.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from lstm_book.cell import PARTS
from lstm_book.tasks import running_example

from .plots import STYLE, draw_cell, events_key, mark_events

__all__ = ["draw_stacked_weights", "draw_backward_flow", "draw_unrolled_backward", "plot_error_flow", "ERROR_STYLE"]

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


def draw_unrolled_backward():
    """Three steps of the cell unrolled in time (t - 1, t, t + 1), forward arrows grey, the error's way back dashed
    in the error colour: each h_t and each c_t receives error from two places, and the two are summed (⊕); each
    step's weights receive a share from every step, summed too. Returns the Figure."""
    fig, ax = plt.subplots(figsize=(9.0, 4.4))
    grey, colour, c_colour = "#999999", ERROR_STYLE["error"], STYLE["c"][0]

    def arrow(start, end, error=False, **kw):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=1.6 if error else 1.3,
                                     color=colour if error else grey, linestyle=(0, (4, 2)) if error else "-",
                                     shrinkA=0, shrinkB=0, zorder=3 if error else 1, **kw))

    def plus(xy):
        ax.text(*xy, "+", color="white", fontsize=11, ha="center", va="center", zorder=6, fontweight="bold",
                bbox={"boxstyle": "circle,pad=0.12", "facecolor": colour, "edgecolor": colour})

    for k, (x, name) in enumerate(((1.5, "t-1"), (5.0, "t"), (8.5, "t+1"))):
        ax.add_patch(Rectangle((x - 1.0, 1.0), 2.0, 2.2, facecolor="#f8f8f8", edgecolor="#555555", lw=1.2, zorder=2))
        ax.text(x, 2.1, f"step ${name}$", ha="center", va="center", fontsize=11, zorder=4)
        ax.text(x - 0.45, 0.2, f"$x_{{{name}}}$", fontsize=11, ha="center")
        arrow((x - 0.45, 0.45), (x - 0.45, 1.0))
        arrow((x + 0.5, 3.2), (x + 0.5, 4.1))                                    # h out to the loss
        ax.text(x + 0.5, 4.25, f"$L_{{{name}}}$", ha="center", fontsize=11)
        if k < 2:                                                                # to the next step
            arrow((x + 1.0, 2.9), (x + 2.5, 2.9))                                # c_t (top)
            arrow((x + 1.0, 1.4), (x + 2.5, 1.4))                                # h_t (bottom)
            ax.text(x + 1.75, 3.02, f"$c_{{{name}}}$", ha="center", fontsize=10, color=c_colour)
            ax.text(x + 1.75, 1.5, f"$h_{{{name}}}$", ha="center", fontsize=10)
    # the error at step t: from its own loss and from step t + 1, summed
    arrow((5.62, 4.05), (5.62, 3.3), error=True)
    ax.text(5.7, 3.65, r"$\partial L_t/\partial h_t$, added to $h_t$'s", fontsize=9, color=colour)
    arrow((7.45, 1.2), (6.05, 1.2), error=True)
    ax.text(6.05, 0.8, r"$dh$ from step $t+1$'s four gates", fontsize=9, color=colour)
    plus((6.2, 1.75))
    arrow((7.45, 2.7), (6.05, 2.7), error=True)
    ax.text(6.05, 2.35, r"$dc_{t+1} \odot f_{t+1}$", fontsize=9, color=colour)
    plus((6.2, 3.05))
    arrow((3.95, 2.7), (2.55, 2.7), error=True)
    arrow((3.95, 1.2), (2.55, 1.2), error=True)
    ax.text(3.25, 0.75, "on to step $t-1$", ha="center", fontsize=9, color=colour)
    ax.text(5.0, -0.35, "⊕: a quantity that feeds two places gets the sum of the errors from both; "
            "every step's weight gradients are summed as well", ha="center", fontsize=9, color=colour)
    ax.set_xlim(0.0, 10.0)
    ax.set_ylim(-0.6, 5.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("backpropagation through time: the error splits going forward, and sums coming back",
                 fontsize=11, color=colour)
    fig.tight_layout()
    return fig


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
            label += "\n(exactly 0 before the last step)"
        ax.semilogy(t, values, color=colour, ls=style, lw=1.8, label=label,
                    marker="o" if style == "-" else None, markersize=2.2)
        shown.append(values)
    positive = np.concatenate(shown)
    low = max(np.nanmin(positive) / 5, _FLOOR)
    ax.set_ylim(low, 5.0)
    ax.set_ylabel("size of the error (log)")
    events = {"pulse": example.pulse, "reset": example.reset}  # in the book's colours of events, keyed under the figure
    for a in axes:
        mark_events(a, events)
        a.grid(alpha=0.25)
        a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0.0)
    axes[-1].set_xlabel("time step $t$ (the loss looks at the last step; the error flows right to left)")
    axes[0].set_title("the error signal flowing back in time", fontsize=11)
    events_key(fig, events)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
