"""An explorer's matplotlib figures: the static figure, and the small multiples of guided observations.

The static figure is what the website shows with JavaScript off (at the defaults) and the figure of a guided
observation (at other values); the small multiples draw several settings side by side, for print. Both are
drawn from an explorer's description (`Explorer.figure` and `Explorer.observations` call them), in the colours
of `lstm_book.teaching.figures.STYLE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from lstm_book.teaching.figures.plots import EVENT_STYLE, STYLE, events_key, math_text, plot_series

__all__ = ["static_figure", "small_multiples"]


def static_figure(explorer, data: Mapping[str, np.ndarray], title: str):
    """The Figure of one setting of `explorer` (an `Explorer`): its panels drawn from `data` (what its compute
    returned), with its events and reference lines, under `title`."""
    lines = {"h": [], "v": []}
    for line in explorer.lines:
        value = float(data[line.key])
        if line.orientation == "h" or value <= float(np.max(data["t"])):
            lines[line.orientation].append((line.label, value, line.colour))
    shown = {**data, **{n: np.abs(data[n]) for p in explorer.panels if p.scale == "log" for n in p.series}}
    fig = plot_series(shown, [p.series for p in explorer.panels], title=title, events=explorer.events,
                      hlines=lines["h"], vlines=lines["v"])
    for ax, panel in zip(fig.axes, explorer.panels):
        if panel.scale == "log":
            _log_axis(ax, [shown[n] for n in panel.series])
    return fig


def small_multiples(explorer, rows: Sequence[tuple[str, Mapping[str, np.ndarray]]], panels: Sequence):
    """One row per (label, data) of `rows`, one column per panel of `panels` (some of `explorer`'s panels).

    Each column shares its y-axis across rows, so rows compare at a glance; the lines carry
    "<row label>: <quantity label>". Returns the Figure.
    """
    n, m = len(rows), len(panels)
    keys = max((len(panel.series) + 1) // 2 for panel in panels)   # the legends above the first row: lines of two
    fig, axes = plt.subplots(n, m, sharex=True, sharey="col", figsize=(8.0, 1.0 + 0.2 * keys + 1.45 * n), squeeze=False)
    last = explorer.panels[-1]  # the panel that holds the reference lines
    for col, panel in enumerate(panels):
        values = np.concatenate([np.ravel(d[name]) for _, d in rows for name in panel.series]
                                + [np.ravel(d[line.key]) for _, d in rows for line in explorer.lines
                                   if line.orientation == "h" and panel == last])
        limits = panel.limits or (min(values.min(), -1.0) - 0.08 * np.ptp(values), max(values.max(), 1.0) + 0.08 * np.ptp(values))
        for row, (label, data) in enumerate(rows):
            ax = axes[row, col]
            for name in panel.series:
                colour, text = STYLE[name]
                ax.plot(data["t"], np.ravel(data[name]), color=colour, lw=1.5, label=f"{label}: {text}")
            ax.set_ylim(*limits)
            ax.axhline(0.0, color="#bbbbbb", lw=0.6, zorder=0)
            ax.grid(alpha=0.25)
            ax.tick_params(labelsize=8)
            _event_bands(ax, explorer.events)
            if col == m - 1 and panel == last:
                _reference_lines(ax, explorer.lines, data)
            if row == 0:  # each column's colours named once, above it, never over a trace
                ax.legend([Line2D([], [], color=STYLE[name][0], lw=1.5) for name in panel.series],
                          [STYLE[name][1] for name in panel.series], loc="lower left", bbox_to_anchor=(0.0, 1.02),
                          fontsize=8, frameon=False, borderaxespad=0.0, handlelength=1.5,
                          ncol=2 if len(panel.series) > 2 else 1)
            if col == 0:  # the button's label, its symbols set as on the button
                ax.set_ylabel(math_text(label, width=22), fontsize=9, rotation=0, ha="right", va="center")
        axes[-1, col].set_xlabel("time step $t$", fontsize=9)
    bands = {kind: value for kind, value in (explorer.events or {}).items() if EVENT_STYLE[kind][1] == "band"}
    keyed = events_key(fig, bands)  # what the bands are, once for the whole figure
    fig.tight_layout(rect=(0, 0.05 if keyed else 0, 1, 1))
    return fig


def _event_bands(ax, events):
    """The events drawn as bands (the distractions), in every small multiple."""
    for kind, value in (events or {}).items():
        colour, how, _ = EVENT_STYLE[kind]
        for step in (value if isinstance(value, (tuple, list)) else (value,)):
            if how == "band":
                ax.axvspan(step - 0.5, step + 0.5, color=colour, alpha=0.55, lw=0, zorder=0)


def _reference_lines(ax, lines, data):
    """The reference lines at this row's values: dashed if horizontal, dotted if vertical (and inside the time)."""
    for line in lines:
        value = float(data[line.key])
        if line.orientation == "h":
            ax.axhline(value, color=line.colour, ls="--", lw=1.1)
        elif value <= float(np.max(data["t"])):
            ax.axvline(value, color=line.colour, ls=":", lw=1.2)


def _log_axis(ax, arrays):
    """A log y-axis over whole decades of the magnitudes drawn (as the front end draws it)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    exponents = np.log10(np.maximum(values, 1e-300))
    low, high = np.floor(exponents.min()), np.ceil(exponents.max())
    ax.set_yscale("log")
    ax.set_ylim(10.0 ** low, 10.0 ** max(high, low + 1))
