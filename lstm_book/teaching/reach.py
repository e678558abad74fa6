"""Chapter 14's measurement: how far back a trained language model's predictions look, averaged over many positions
of a held-out text, and its figure.

`gradient_by_distance` reads a text as parallel streams (`lstm_book.text.streams`), lets each stream's state settle
over `warm_up` characters (forward only), and then, over the next `window` characters, computes with
`lstm_book.lookback.input_gradients` the gradient of the prediction of the character after the window with respect
to every input of the window, split into the memory path and the hidden path. It averages the size (the Euclidean
norm over the V entries) of each, for each distance d = T − s, over the streams: one position per stream.
"""

from __future__ import annotations

import numpy as np

from lstm_book.charlm import charlm_forward
from lstm_book.lookback import input_gradients
from lstm_book.params import Params
from lstm_book.text import streams

__all__ = ["PATH_STYLE", "PATHS", "gradient_by_distance", "reach", "plot_gradient_by_distance"]

#: The paths' colours and labels: the memory path in the book's colour of c_t, the hidden path in that of h_t.
PATH_STYLE = {"total": ("#555555", "all paths"), "memory": ("#c0392b", r"memory path (only along $c$)"),
              "hidden": ("#111111", r"hidden path (through some $h$)"),
              "no_memory": ("#b7950b", r"never along $c$ (only through $h$)"),
              "mixed": ("#8e44ad", r"mixed (steps along $c$ and through $h$)")}
PATHS = tuple(PATH_STYLE)


def gradient_by_distance(params, ids, *, n_streams: int = 200, window: int = 200, warm_up: int = 50,
                         group: int = 40) -> dict:
    """The mean size of ∂ ln p_T[k] / ∂ x_s at each distance d = T − s, over `n_streams` positions of the text `ids`.

    params: a language model's (LSTM or plain RNN; computed in float64);  ids: (N,) a held-out text.
    Returns {"distance": (window,) 0 … window−1, and for each path of PATHS ("total", "memory", "hidden",
    "no_memory", "mixed") (window,) the mean of its norms, "each": {path: (window, n_streams) the norms at every
    position}, "positions": n_streams}. "mixed" = total − memory − no_memory is defined for d ≥ 1 (at d = 0 it
    is −memory). Streams are computed
    `group` at a time (the backward pass keeps (window, group, 4H) arrays).
    """
    params = Params({k: np.asarray(v, np.float64) for k, v in params.items()}, params.layout)
    inputs, targets = streams(np.asarray(ids), n_streams)
    if len(inputs) < warm_up + window:
        raise ValueError(f"gradient_by_distance: the text gives streams of {len(inputs)} characters, fewer than "
                         f"warm_up + window = {warm_up + window}")
    H = params["W_y"].shape[1]
    each = {path: np.empty((window, n_streams)) for path in PATHS}
    for start in range(0, n_streams, group):
        part = slice(start, min(start + group, n_streams))
        h = c = np.zeros((part.stop - part.start, H))
        if warm_up:
            trace = charlm_forward(params, inputs[:warm_up, part], h, c)[1]
            h, c = trace.h[-1], trace.c[-1]
        grads = input_gradients(params, inputs[warm_up:warm_up + window, part],
                                targets[warm_up + window - 1, part], h, c)
        paths = {"total": grads.total, "memory": grads.memory, "hidden": grads.total - grads.memory,
                 "no_memory": grads.no_memory, "mixed": grads.total - grads.memory - grads.no_memory}
        for path, g in paths.items():
            each[path][:, part] = np.linalg.norm(g, axis=-1)[::-1]      # row d: the input d steps back
    return {"distance": np.arange(window), **{p: a.mean(axis=1) for p, a in each.items()}, "each": each,
            "positions": n_streams}


def reach(profile: dict, fraction: float = 0.01, path: str = "total") -> int:
    """The first distance at which the mean gradient of `path` falls below `fraction` of its value at distance 0
    (the window's length if it never does)."""
    below = np.flatnonzero(profile[path] < fraction * profile["total"][0])
    return int(below[0]) if below.size else len(profile["distance"])


def plot_gradient_by_distance(profiles: dict, *, paths=("total",), colours: dict | None = None, ax=None,
                              title=None, first: int = 0):
    """log10 of the mean |∂ ln p / ∂ x_s| against the distance t − s (from `first`), one line per model and path.

    profiles: name -> what `gradient_by_distance` returned (e.g. {"LSTM": ..., "plain RNN": ...}). With `colours`
    (name -> colour) each model has its colour and each path its line style; without, each path has its colour
    (PATH_STYLE) and each model its line style. A path that is all zeros (the plain RNN's memory) is not drawn.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    dashes = ["-", "--", ":", "-."]
    for k, (name, profile) in enumerate(profiles.items()):
        for m, path in enumerate(paths):
            values = profile[path][first:]
            if not values.any():
                continue
            colour = colours[name] if colours else PATH_STYLE[path][0]
            style = dashes[(m if colours else k) % 4]
            label = name if len(paths) == 1 else PATH_STYLE[path][1] if len(profiles) == 1 else \
                f"{name}: {PATH_STYLE[path][1]}"
            ax.plot(profile["distance"][first:], np.log10(np.maximum(values, 1e-300)), style, color=colour,
                    label=label, linewidth=1.6)
    ax.set(xlabel="distance back, t − s (characters)", ylabel=r"log10 mean $|∂ \ln p / ∂ x_s|$", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return ax.figure
