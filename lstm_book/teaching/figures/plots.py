"""Every figure of the book: quantities over time, and the cell diagram with one part highlighted.

One colour per quantity, the same in every chapter (`STYLE`), so that a reader learns to read a plot of c_t
once. The functions return matplotlib Figures and never call ``plt.show()``: the notebook displays them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Patch

from lstm_book.validation import LSTMInputError, as_float_array, check_finite

__all__ = ["STYLE", "EVENT_STYLE", "REFERENCE_COLOURS", "PANEL_LIMITS", "plain_label", "plot_series", "draw_cell",
           "CELL_PARTS", "math_text", "events_key", "mark_events"]

#: name -> (colour, label). Labels are matplotlib mathtext, the book's symbols.
STYLE: dict[str, tuple[str, str]] = {
    "x": ("#555555", r"input $x_t$"),
    "i": ("#8e44ad", r"input state $i_t$ (candidate)"),
    "j": ("#27ae60", r"input gate $j_t$"),
    "f": ("#2471a3", r"forget gate $f_t$"),
    "o": ("#e67e22", r"output gate $o_t$"),
    "c": ("#c0392b", r"cell state $c_t$"),
    "tanh_c": ("#f1948a", r"$\tanh(c_t)$"),
    "h": ("#111111", r"hidden state $h_t$"),
    # Part II (chapters 8 and 9): the error signal, each part's share of its bias's gradient, and their logarithms
    "dc": ("#7b241c", r"error at the memory $∂L/∂c_t$"),
    "share_i": ("#8e44ad", r"step share of $∂L/∂b_i$ ×100"),
    "share_j": ("#27ae60", r"step share of $∂L/∂b_j$ ×100"),
    "share_f": ("#2471a3", r"step share of $∂L/∂b_f$ ×100"),
    "share_o": ("#e67e22", r"step share of $∂L/∂b_o$ ×100"),
    "log_dc": ("#7b241c", r"LSTM memory, log10 $|∂L/∂c_t|$"),
    "log_path": ("#5dade2", r"forget gates after t, log10 $f_{t+1} ⋯ f_T$"),
    "log_rnn": ("#16a085", r"plain RNN, log10 $|∂L/∂h_t|$"),
}

#: The events of the running example, marked in every panel: (colour, how, legend). Their colours are used by no
#: quantity, so that a band is never mistaken for a gate: a pale yellow band for the pulse, a grey band for the
#: reset signal, grey dotted lines for the distractions.
EVENT_STYLE: dict[str, tuple[str, str, str]] = {
    "pulse": ("#f7dc6f", "band", "pulse (to store)"),
    "distractions": ("#7f7f7f", "dotted", "distractions (to ignore)"),
    "reset": ("#c8c8c8", "band", "reset signal"),
}

#: Colours of reference lines (a fixed point, a time constant): dark olive and slate, no quantity's colour.
REFERENCE_COLOURS = ("#7a6a00", "#3d5566")


def plain_label(name: str) -> str:
    """The label of a quantity in plain text, for the web and for text alternatives: 'forget gate f_t'."""
    if not isinstance(name, str) or name not in STYLE:
        raise LSTMInputError(f"plain_label: argument 'name' should be one of {sorted(STYLE)}, but got {name!r}")
    return STYLE[name][1].replace("$", "").replace("\\", "")


_SUBSCRIPT = re.compile(r"([A-Za-z]+)_(\{[^}]*\}|[A-Za-z0-9*-]+)")


def math_text(text: str, width: int | None = None) -> str:
    """A plain-text label ("1b. b_f = 4, w_xj = 5", as the website's buttons write it) in matplotlib's mathtext,
    each symbol with its subscript set ("$b_{f}$"), as the front end sets them; `width`: wrapped into lines of at
    most that many characters first (a long title then never runs off the figure)."""
    lines = textwrap.wrap(text, width) if width else [text]
    return "\n".join(_SUBSCRIPT.sub(lambda m: f"${m[1]}_{{{m[2].strip('{}')}}}$", line) for line in lines)


def events_key(fig, events) -> bool:
    """The key of the events marked in a figure's panels (the pulse's band, the distractions' dotted lines, the reset's
    band), once, under the figure; True if there was any (the caller then leaves room for it)."""
    kinds = [kind for kind in EVENT_STYLE if kind in (events or {})]
    handles = [Patch(color=EVENT_STYLE[k][0], alpha=0.55) if EVENT_STYLE[k][1] == "band"
               else Line2D([], [], color=EVENT_STYLE[k][0], ls=":", lw=1.4) for k in kinds]
    if kinds:
        fig.legend(handles, [EVENT_STYLE[k][2] for k in kinds], loc="lower center", ncol=len(kinds), fontsize=8,
                   frameon=False)
    return bool(kinds)


#: y-limits of a panel by the kind of quantity it holds: gates live in (0, 1), candidates and h in (-1, 1).
PANEL_LIMITS = {"gate": (-0.05, 1.05), "bounded": (-1.1, 1.1)}
_GATES = {"j", "f", "o"}
_BOUNDED = {"i", "h", "tanh_c"}


def fixed_limits(names: Sequence[str]):
    """The y-limits of a panel holding these quantities when they are fixed by their kind, else None."""
    if set(names) <= _GATES:
        return PANEL_LIMITS["gate"]
    if set(names) <= _GATES | _BOUNDED:
        return PANEL_LIMITS["bounded"]
    return None


def _limits(names: Sequence[str], data: Mapping[str, np.ndarray], extra=()):
    fixed = fixed_limits(names)
    if fixed is not None:
        return fixed
    values = np.concatenate([np.ravel(data[n]) for n in names] + [np.ravel(np.asarray(extra, dtype=float))])
    low, high = min(values.min(), -1.0), max(values.max(), 1.0)
    pad = 0.08 * (high - low)
    return low - pad, high + pad


#: Where a panel's legend goes: to the right of it, outside the axes.
_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False, "borderaxespad": 0.0}


def plot_series(data: Mapping[str, np.ndarray], panels: Sequence[Sequence[str]], *, title: str | None = None,
                events: Mapping[str, object] | None = None, hlines: Sequence[tuple[str, float, str]] = (),
                vlines: Sequence[tuple[str, float, str]] = (), figsize=(8.0, None)):
    """Quantities over time, one panel per group, sharing the time axis.

    data: name -> (T,) array, plus "t" (T,) the step numbers; names as in `STYLE`.
    panels: e.g. [("x",), ("f",), ("c", "h")]; each line gets its `STYLE` colour and label.
    events: optional {"pulse": int, "distractions": [...], "reset": int} marked by vertical lines in every panel.
    hlines / vlines: extra reference lines (label, value, colour), drawn in the last panel.
    Returns the Figure; its lines carry the labels, so tests can find what was drawn.
    """
    t = _check_series(data, panels)
    height = figsize[1] or 1.0 + 1.55 * len(panels)
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(figsize[0], height), squeeze=False)
    axes = axes[:, 0]
    for k, (ax, names) in enumerate(zip(axes, panels)):
        for name in names:
            colour, label = STYLE[name]
            style = {"drawstyle": "steps-mid"} if name == "x" else {"marker": "o", "markersize": 2.5}
            ax.plot(t, np.ravel(data[name]), color=colour, label=label, lw=1.8, **style)
        last = k == len(panels) - 1
        ax.set_ylim(*_limits(names, data, [value for _, value, _ in hlines] if last else ()))
        ax.axhline(0.0, color="#bbbbbb", lw=0.6, zorder=0)
        if set(names) <= _GATES:
            ax.axhline(1.0, color="#dddddd", lw=0.6, zorder=0)
        ax.legend(**_OUTSIDE)                                   # beside the panel, never over a trace
        ax.grid(alpha=0.25)
        if events:
            mark_events(ax, events)
    for label, value, colour in hlines:
        axes[-1].axhline(value, color=colour, ls="--", lw=1.2, label=label)
    for label, value, colour in vlines:
        axes[-1].axvline(value, color=colour, ls=":", lw=1.4, label=label)
    if hlines or vlines:
        axes[-1].legend(**_OUTSIDE)
    axes[-1].set_xlabel("time step $t$")
    if title:  # from the left edge of the panels, in lines that fit the figure
        axes[0].set_title(math_text(title, width=int(9 * figsize[0])), fontsize=11, loc="left")
    keyed = events_key(fig, events)
    fig.tight_layout(rect=(0, 0.2 / height if keyed else 0, 1, 1))
    return fig


def _check_series(data, panels) -> np.ndarray:
    """The time axis data["t"], after checking that every panel names quantities of `STYLE` that `data` holds
    as finite (T,) arrays."""
    if not isinstance(data, Mapping) or "t" not in data:
        raise LSTMInputError(f"plot_series: argument 'data' should be a dict with the time steps 't' and the "
                             f"quantities to draw, but got {type(data).__name__}" + (
                                 f" with keys {sorted(map(str, data))}" if isinstance(data, Mapping) else ""))
    t = as_float_array(data["t"], func="plot_series", arg="data['t']")
    if t.ndim != 1 or t.size == 0:
        raise LSTMInputError(f"plot_series: argument 'data['t']' should have shape (T,) with T >= 1, but got shape {t.shape}")
    if isinstance(panels, str) or not isinstance(panels, Sequence) or not panels \
            or any(isinstance(p, str) or not isinstance(p, Sequence) or not p for p in panels):
        raise LSTMInputError(f"plot_series: argument 'panels' should be a non-empty list of groups of names, e.g. "
                             f"[('x',), ('f',), ('c', 'h')], but got {panels!r:.80}")
    for name in (n for group in panels for n in group):
        if name not in STYLE:
            raise LSTMInputError(f"plot_series: argument 'panels' names {name!r}; the quantities are {sorted(STYLE)}")
        if name not in data:
            raise LSTMInputError(f"plot_series: argument 'panels' names {name!r}, which argument 'data' does not hold")
        values = as_float_array(data[name], func="plot_series", arg=f"data[{name!r}]")
        check_finite(values, func="plot_series", arg=f"data[{name!r}]")
        if np.size(values) != t.size:
            raise LSTMInputError(f"plot_series: argument 'data[{name!r}]' should have T={t.size} values, like "
                                 f"data['t'], but got shape {np.shape(values)}")
    return t


def mark_events(ax, events):
    """The events of `events` ({"pulse": step, "distractions": [steps], "reset": step}) in a panel: bands or dotted
    lines in the colours of `EVENT_STYLE`."""
    for kind, value in events.items():
        colour, how, _ = EVENT_STYLE[kind]
        steps = value if isinstance(value, (tuple, list)) else () if value is None else (value,)
        for step in steps:
            if how == "band":
                ax.axvspan(step - 0.5, step + 0.5, color=colour, alpha=0.55, lw=0, zorder=0)
            else:
                ax.axvline(step, color=colour, alpha=0.7, ls=":", lw=1.2, zorder=0)


#: Parts of the diagram that `draw_cell(highlight=...)` can highlight: the left-hand side of each equation.
CELL_PARTS = ("h", "o", "c", "f", "j", "i")

_EQUATIONS = {
    "h": r"$h_t = \tanh(c_t) \odot o_t$",
    "o": r"$o_t = \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o)$",
    "c": r"$c_t = c_{t-1} \odot f_t + i_t \odot j_t$",
    "f": r"$f_t = \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f)$",
    "j": r"$j_t = \sigma(W_{xj} x_t + W_{hj} h_{t-1} + b_j)$",
    "i": r"$i_t = \tanh(W_{xi} x_t + W_{hi} h_{t-1} + b_i)$",
}


def draw_cell(highlight: str | None = None, ax=None):
    """The LSTM cell as a diagram: the cell-state line on top, the four gates below, h_t out on the right.

    highlight: one of `CELL_PARTS` ("h", "o", "c", "f", "j", "i") to draw that equation's part in its colour
    and everything else in grey, with the equation written underneath; None draws every part in colour.
    Returns the Figure.
    """
    if highlight is not None and not (isinstance(highlight, str) and highlight in CELL_PARTS):
        raise LSTMInputError(f"draw_cell: argument 'highlight' should be one of {CELL_PARTS} or None, but got {highlight!r}")
    if ax is not None and not isinstance(ax, Axes):
        raise LSTMInputError(f"draw_cell: argument 'ax' should be a matplotlib Axes or None, but got {type(ax).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 5.2))
    else:
        fig = ax.figure
    grey = "#c8c8c8"

    def colour(part):
        if highlight is None or highlight == part:
            return STYLE[part][0]
        return grey

    def width(part):
        return 3.2 if highlight == part else 1.8

    def line(points, part, arrow=True):
        points = list(points)
        for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
            ax.plot([x0, x1], [y0, y1], color=colour(part), lw=width(part), solid_capstyle="round", zorder=1)
        start, end = points[-2], points[-1]
        style = "-|>" if arrow else "-"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=colour(part),
                                     lw=width(part), shrinkA=0, shrinkB=0, zorder=1))

    def gate(xy, part, text):
        x, y = xy
        ax.add_patch(FancyBboxPatch((x - 0.55, y - 0.35), 1.1, 0.7, boxstyle="round,pad=0.05",
                                    facecolor="white", edgecolor=colour(part), lw=width(part), zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=13, color=colour(part), zorder=4)

    def node(xy, part, text):
        ax.add_patch(Circle(xy, 0.24, facecolor="white", edgecolor=colour(part), lw=width(part), zorder=3))
        ax.text(*xy, text, ha="center", va="center", fontsize=13, color=colour(part), zorder=4)

    def label(xy, text, part=None, **kw):
        ax.text(*xy, text, fontsize=13, color="#333333" if part is None else colour(part), zorder=4, **kw)

    gates = {"f": 2.6, "j": 4.3, "i": 5.7, "o": 7.4}
    # inputs: x_t joins h_{t-1} on a bus that feeds all four gates
    ax.plot([0.6, gates["o"]], [0.8, 0.8], color="#777777", lw=1.8, zorder=1)
    ax.plot([1.3, 1.3], [0.05, 0.8], color="#777777", lw=1.8, zorder=1)
    label((0.0, 0.75), r"$h_{t-1}$")
    label((1.42, 0.1), r"$x_t$")
    for part, x in gates.items():
        line([(x, 0.8), (x, 1.6)], part)
        gate((x, 2.0), part, r"$\tanh$" if part == "i" else r"$\sigma$")
        label((x + 0.62, 1.5), f"${part}_t$", part)
    # the cell-state line with its two operations
    line([(0.6, 5.0), (2.35, 5.0)], "c")
    line([(2.85, 5.0), (4.75, 5.0)], "c")
    line([(5.25, 5.0), (9.6, 5.0)], "c")
    label((0.0, 4.95), r"$c_{t-1}$")
    label((9.7, 4.95), r"$c_t$", "c")
    node((2.6, 5.0), "c", r"$\times$")
    node((5.0, 5.0), "c", r"$+$")
    line([(gates["f"], 2.35), (2.6, 4.76)], "f")
    node((5.0, 3.6), "c", r"$\times$")
    line([(gates["j"], 2.35), (4.83, 3.43)], "j")
    line([(gates["i"], 2.35), (5.17, 3.43)], "i")
    line([(5.0, 3.84), (5.0, 4.76)], "c")
    # the hidden state: tanh of the cell state, scaled by the output gate
    line([(8.5, 5.0), (8.5, 4.42)], "h")
    ax.add_patch(Ellipse((8.5, 4.1), 1.0, 0.6, facecolor="white", edgecolor=colour("h"), lw=width("h"), zorder=3))
    ax.text(8.5, 4.1, r"$\tanh$", ha="center", va="center", fontsize=12, color=colour("h"), zorder=4)
    line([(8.5, 3.8), (8.5, 3.34)], "h")
    node((8.5, 3.1), "h", r"$\times$")
    line([(gates["o"], 2.35), (8.33, 2.93)], "o")
    line([(8.74, 3.1), (9.6, 3.1)], "h")
    label((9.7, 3.05), r"$h_t$", "h")
    if highlight is not None:
        ax.text(5.0, -0.55, _EQUATIONS[highlight], ha="center", va="center", fontsize=15,
                color=STYLE[highlight][0])
    ax.set_xlim(-0.3, 10.4)
    ax.set_ylim(-0.9 if highlight else -0.2, 5.6)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
