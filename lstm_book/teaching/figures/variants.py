"""Diagrams of chapter 11's variants, in the style of the book's cell diagram (`draw_cell`): the coupled cell and
the cell with peepholes drawn as changes to the book's cell, and the GRU."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from lstm_book.validation import LSTMInputError

from .plots import STYLE, draw_cell

__all__ = ["draw_variant", "VARIANT_DIAGRAMS"]

#: The variants `draw_variant` draws, with the equation written under each diagram.
VARIANT_DIAGRAMS = {
    "coupled": r"coupled gates: $j_t = 1 - f_t$,  $c_t = c_{t-1} \odot f_t + i_t \odot (1 - f_t)$",
    "peepholes": r"peepholes: $f_t, j_t$ also read $p \odot c_{t-1}$, $o_t$ reads $p_o \odot c_t$",
    "gru": r"GRU: $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$,  $n_t = \tanh(W_{xn} x_t + b_n + r_t \odot W_{hn} h_{t-1})$",
}
_CHANGE = "#b03a2e"      # what a variant adds to the book's cell: drawn dashed, in this colour


def _arrow(ax, start, end, colour, lw=1.8, ls="-"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=colour, lw=lw, ls=ls,
                                 shrinkA=0, shrinkB=0, zorder=2))


def _box(ax, xy, text, colour, lw=1.8):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - 0.55, y - 0.35), 1.1, 0.7, boxstyle="round,pad=0.05", facecolor="white",
                                edgecolor=colour, lw=lw, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=13, color=colour, zorder=4)


def _node(ax, xy, text, colour):
    ax.add_patch(Circle(xy, 0.24, facecolor="white", edgecolor=colour, lw=1.8, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=11 if len(text) > 8 else 13, color=colour, zorder=4)


def _coupled(ax):
    """The book's cell with its input gate replaced by 1 - f_t, fed from the forget gate."""
    # the input gate out: its box, its label and its feed covered whole (no stray bracket or tick), its texts removed
    ax.add_patch(Rectangle((3.55, 0.84), 1.42, 2.46, facecolor="white", edgecolor="none", zorder=5))
    ax.plot([4.0, 4.6], [0.8, 0.8], color="#777777", lw=1.8, zorder=5)
    for text in [t for t in ax.texts if 3.55 <= t.get_position()[0] <= 4.97 and 0.84 <= t.get_position()[1] <= 3.3]:
        text.remove()
    f_colour = STYLE["f"][0]
    ax.add_patch(Circle((4.3, 2.0), 0.3, facecolor="white", edgecolor=_CHANGE, lw=2.2, ls="--", zorder=6))
    ax.text(4.3, 2.0, r"$1-$", ha="center", va="center", fontsize=12, color=_CHANGE, zorder=7)
    ax.plot([2.6, 3.2, 3.2], [2.9, 2.9, 2.0], color=f_colour, lw=1.8, zorder=6)
    _arrow(ax, (3.2, 2.0), (4.0, 2.0), f_colour)
    ax.add_patch(FancyArrowPatch((4.3, 2.3), (4.83, 3.43), arrowstyle="-|>", mutation_scale=14, color=_CHANGE,
                                 lw=1.8, shrinkA=0, shrinkB=0, zorder=6))
    ax.text(4.3, 1.35, r"$j_t = 1 - f_t$", ha="center", fontsize=11, color=_CHANGE, zorder=7)


def _peepholes(ax):
    """The book's cell with the memory read by the gates: c_{t-1} into f and j, c_t into o (dashed)."""
    for x_from, x_to, name in ((1.6, 2.35, "p_f"), (1.6, 4.05, "p_j")):
        ax.plot([x_from, x_from], [5.0, 2.75], color=_CHANGE, lw=1.8, ls="--", zorder=2)
        _arrow(ax, (x_from, 2.75), (x_to, 2.38), _CHANGE, ls="--")
        ax.text(x_to - 0.35, 2.85, f"${name}$", fontsize=11, color=_CHANGE, zorder=4)
    ax.plot([9.2, 9.2], [5.0, 2.6], color=_CHANGE, lw=1.8, ls="--", zorder=2)
    _arrow(ax, (9.2, 2.6), (7.97, 2.1), _CHANGE, ls="--")
    ax.text(9.3, 2.3, "$p_o$", fontsize=11, color=_CHANGE, zorder=4)
    ax.text(1.7, 4.3, r"$c_{t-1}$", fontsize=10, color=_CHANGE, zorder=4)
    ax.text(9.3, 4.3, r"$c_t$", fontsize=10, color=_CHANGE, zorder=4)


def _gru(ax):
    """The GRU: one state line h on top, the update gate z choosing between keeping h and writing n."""
    h_colour, z_colour, r_colour, n_colour = STYLE["h"][0], STYLE["f"][0], STYLE["j"][0], STYLE["i"][0]
    grey = "#777777"
    ax.plot([0.6, 7.0], [0.8, 0.8], color=grey, lw=1.8, zorder=1)            # the bus: x_t and h_{t-1}
    ax.plot([1.3, 1.3], [0.05, 0.8], color=grey, lw=1.8, zorder=1)
    ax.text(0.0, 0.75, r"$h_{t-1}$", fontsize=13, color="#333333")
    ax.text(1.42, 0.1, r"$x_t$", fontsize=13, color="#333333")
    ax.plot([0.6, 2.35], [5.0, 5.0], color=h_colour, lw=1.8, zorder=1)      # the state line
    ax.text(0.0, 4.95, r"$h_{t-1}$", fontsize=13, color="#333333")
    _node(ax, (2.6, 5.0), r"$\times$", h_colour)
    _arrow(ax, (2.85, 5.0), (4.75, 5.0), h_colour)
    _node(ax, (5.0, 5.0), r"$+$", h_colour)
    _arrow(ax, (5.25, 5.0), (9.6, 5.0), h_colour)
    ax.text(9.7, 4.95, r"$h_t$", fontsize=13, color=h_colour)
    for x, text, colour, name in ((2.6, r"$\sigma$", z_colour, "z_t"), (4.6, r"$\sigma$", r_colour, "r_t"),
                                  (6.6, r"$\tanh$", n_colour, "n_t")):
        _arrow(ax, (x, 0.8), (x, 1.6), colour)
        _box(ax, (x, 2.0), text, colour)
        ax.text(x + 0.62, 1.5, f"${name}$", fontsize=13, color=colour)
    _arrow(ax, (2.6, 2.35), (2.6, 4.76), z_colour)                           # z keeps the old state
    _node(ax, (3.8, 3.2), r"$1-$", z_colour)
    ax.plot([2.6, 3.56], [3.2, 3.2], color=z_colour, lw=1.8, zorder=1)
    _node(ax, (5.0, 3.6), r"$\times$", n_colour)
    _arrow(ax, (4.04, 3.3), (4.78, 3.5), z_colour)
    _arrow(ax, (6.6, 2.35), (5.2, 3.45), n_colour)                           # the candidate n_t
    _arrow(ax, (5.0, 3.84), (5.0, 4.76), n_colour)
    _arrow(ax, (5.17, 2.0), (6.03, 2.0), r_colour)                           # r scales W_hn h_{t-1} inside n
    ax.text(5.6, 2.55, r"$r_t \odot W_{hn} h_{t-1}$", fontsize=10, color=r_colour, ha="center")
    ax.plot([7.0, 7.0, 8.5], [0.8, 0.3, 0.3], color=grey, lw=0.8, alpha=0.0)  # keeps the bus's end in view


def draw_variant(name: str, ax=None):
    """A variant of chapter 11 as a diagram in the style of `draw_cell`: "coupled" (the input gate replaced by
    1 - f_t), "peepholes" (the gates read the memory: dashed, in red), or "gru". Returns the Figure."""
    if not (isinstance(name, str) and name in VARIANT_DIAGRAMS):
        raise LSTMInputError(f"draw_variant: argument 'name' should be one of {tuple(VARIANT_DIAGRAMS)}, "
                             f"but got {name!r}")
    if ax is not None and not isinstance(ax, Axes):
        raise LSTMInputError(f"draw_variant: argument 'ax' should be a matplotlib Axes or None, but got "
                             f"{type(ax).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 5.6))
    else:
        fig = ax.figure
    if name == "gru":
        _gru(ax)
    else:
        draw_cell(ax=ax)
        (_coupled if name == "coupled" else _peepholes)(ax)
    ax.text(5.0, -0.55, VARIANT_DIAGRAMS[name], ha="center", va="center", fontsize=12, color="#333333")
    ax.set_xlim(-0.3, 10.4)
    ax.set_ylim(-0.9, 5.6)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
