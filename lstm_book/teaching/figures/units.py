"""Chapter 13's figures: a text with every character coloured by one unit, and the gates' saturation.

The functions return matplotlib Figures and never call ``plt.show()``: the notebook displays them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from lstm_book.validation import LSTMInputError

from .plots import STYLE

__all__ = ["UNIT_COLOURS", "unit_colours", "draw_text_by_units", "draw_gate_saturation"]

#: Pale blue (most negative) - white (zero) - pale red (most positive): dark text stays readable on every shade.
UNIT_COLOURS = LinearSegmentedColormap.from_list("unit", ["#6fa8dc", "#ffffff", "#e88a7d"])


def unit_colours(values) -> np.ndarray:
    """The colour of each value (N,), as RGBA rows (N, 4): UNIT_COLOURS scaled so that the largest |value| is
    the full shade and 0 is white (the sign is kept: blue below zero, red above)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or not values.size or not np.all(np.isfinite(values)):
        raise LSTMInputError("unit_colours: argument 'values' should be a non-empty finite array (N,)")
    scale = np.abs(values).max() or 1.0
    return UNIT_COLOURS(0.5 + 0.5 * values / scale)


def draw_text_by_units(text: str, rows: Sequence[tuple[str, np.ndarray]], *, width: int = 78):
    """`text` drawn once per row, each character on a cell coloured by that row's values (one per character):
    rows = [(title, values (N,)), ...]. Line breaks start a new line; lines longer than `width` are cut.
    Returns the Figure."""
    if not isinstance(text, str) or not text:
        raise LSTMInputError("draw_text_by_units: argument 'text' should be a non-empty string")
    lines = text.split("\n")
    height = len(lines)
    fig, axes = plt.subplots(len(rows), 1, figsize=(0.105 * width + 0.4, (0.2 * height + 0.45) * len(rows)),
                             squeeze=False)
    for ax, (title, values) in zip(axes[:, 0], rows):
        if np.shape(values) != (len(text),):
            raise LSTMInputError(f"draw_text_by_units: the values of {title!r} should have shape ({len(text)},), "
                                 f"one per character, but got shape {np.shape(values)}")
        colours = unit_colours(values)
        k = 0
        for y, line in enumerate(lines):
            for x, ch in enumerate(line + ("\n" if y < height - 1 else "")):
                if x < width and ch != "\n":
                    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colours[k], edgecolor="none"))
                    ax.text(x + 0.5, y + 0.55, ch, ha="center", va="center", family="monospace", fontsize=8.5,
                            color="#111111")
                elif x < width:                                     # the line break: a thin cell of its colour
                    ax.add_patch(Rectangle((x, y), 0.35, 1, facecolor=colours[k], edgecolor="none"))
                k += 1
        ax.set(xlim=(0, width), ylim=(height, 0), title=title)
        ax.title.set_fontsize(10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def draw_gate_saturation(trained: Mapping[str, np.ndarray], untrained: Mapping[str, np.ndarray],
                         low: float = 0.1, high: float = 0.9):
    """For each gate ("j", "f", "o"), the histogram of its values over every unit and character, trained (in the
    gate's colour) against untrained (grey), with the bands below `low` and above `high` shaded. Returns the
    Figure."""
    gates = [g for g in ("j", "f", "o") if g in trained]
    if not gates or set(gates) - set(untrained):
        raise LSTMInputError("draw_gate_saturation: arguments 'trained' and 'untrained' should map the gates "
                             "'j', 'f', 'o' to their values")
    fig, axes = plt.subplots(1, len(gates), figsize=(3.3 * len(gates), 2.9), sharey=True)
    bins = np.linspace(0.0, 1.0, 41)
    for ax, g in zip(np.atleast_1d(axes), gates):
        colour, label = STYLE[g]
        for values, c, name in ((untrained[g], "#999999", "untrained"), (trained[g], colour, "trained")):
            share = np.histogram(np.ravel(values), bins=bins)[0] / np.size(values)
            ax.stairs(share * 100, bins, color=c, fill=name == "trained", alpha=0.55 if name == "trained" else 1,
                      label=name, linewidth=1.5)
        for a, b in ((0.0, low), (high, 1.0)):
            ax.axvspan(a, b, color="#f7dc6f", alpha=0.3, linewidth=0)
        ax.set(xlabel=label, xlim=(0, 1))
    np.atleast_1d(axes)[0].set_ylabel("% of values (bins of 0.025)")
    np.atleast_1d(axes)[0].legend(loc="upper center", fontsize=8)
    fig.tight_layout()
    return fig
