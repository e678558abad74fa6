"""The training view's three views: the static figure of a finished run, the website's HTML, the JupyterLab widget.

All three draw a `TrainingView` and its `TrainingRun` (lstm_book.teaching.explorers.training, which imports this
module, not the other way round). The live views share one front end,
lstm_book/teaching/web/trainer.js (beside explorer.js, whose drawing helpers it uses): on the website mirror.js
trains; in JupyterLab the kernel trains (`TrainingRun`, lstm_book's `train_step` or the reader's own).
"""

from __future__ import annotations

import base64
import functools
import html

import matplotlib.pyplot as plt
import numpy as np

from lstm_book.teaching.figures.plots import EVENT_STYLE, STYLE

from .html_view import _png, front_end_css, jsonable, spec_json, web_esm, widget_and_html

__all__ = ["run_figure", "describe_run", "training_html", "training_widget", "training_mimebundle", "trainer_esm"]

NOTE_WEB = ("Press Start: your browser trains the cell, with a JavaScript copy of lstm_book's training step held to "
            "its numbers by the book's tests. Change a setting, or press a guided observation, to start again.")
NOTE_KERNEL = "Press Start: Python trains the cell with lstm_book's train_step, a few steps a frame."


def run_figure(view, run):
    """A finished run, as the live view draws it: the learning curves, the weights, the cell on the two sequences."""
    steps_at_most = view.spec()["max_steps"]
    fig = plt.figure(figsize=(9.0, 7.4))
    grid = fig.add_gridspec(3, 2, height_ratios=(1.0, 1.1, 1.0), hspace=0.55, wspace=0.25)
    steps, loss, accuracy = (np.array(a) for a in zip(*run.curve))
    ax = fig.add_subplot(grid[0, 0])
    ax.plot(np.arange(1, len(run.losses) + 1), run.losses, color="#9a9a9a", lw=0.7, label="training loss")
    ax.plot(steps, loss, color="#111111", lw=1.8, label="test loss")
    ax.axhline(np.log(2), color="#7f7f7f", ls=":", label="guessing: ln 2")
    ax.set(xlim=(0, steps_at_most), ylim=(0, max(1.0, min(4.0, float(np.max(run.losses, initial=0))))),
           xlabel="training step", title="loss")
    ax.legend(fontsize=7)
    ax = fig.add_subplot(grid[0, 1])
    ax.plot(steps, accuracy, color="#1a5fb4", lw=1.8)
    ax.axhline(0.5, color="#7f7f7f", ls=":")
    ax.set(xlim=(0, steps_at_most), ylim=(0, 1.05), xlabel="training step", title="test accuracy")
    ax = fig.add_subplot(grid[1, :])
    spec = view.spec()
    flat = run.history[-1]
    names = [w["name"] for w in spec["weights"]]
    values = [flat.get(n, 0.0) for n in names]
    colours = [w["colour"] for w in spec["weights"]]
    ax.bar(range(len(names)), values, color=colours)
    ax.axhline(0, color="#999999", lw=0.6)
    ax.set_xticks(range(len(names)), [_mathtext(w["label"]) for w in spec["weights"]], fontsize=8)
    ax.set_title("the weights after the run (a removed gate's at 0)")
    for k, (name, x) in enumerate((("pulse", "with the pulse at step 5"), ("quiet", "without it"))):
        ax = fig.add_subplot(grid[2, k])
        trace = run.traces()[name]
        t = np.arange(1, len(trace["c"]) + 1)
        for q in ("c", "h", "j", "f", "o"):
            ax.plot(t, trace[q], color=STYLE[q][0], lw=1.6, label=STYLE[q][1])
        if name == "pulse":
            ax.axvspan(4.5, 5.5, color=EVENT_STYLE["pulse"][0], alpha=0.55)
        ax.set(xlabel="step t", title=f"the cell {x}")
    handles, labels = ax.get_legend_handles_labels()  # the five colours, once, under the two panels (not over a trace)
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.subplots_adjust(bottom=0.12)
    fig.suptitle(view.title + f": the run at the defaults after {run.step} steps", fontsize=11)
    return fig


def _mathtext(label: str) -> str:
    base, sub = label.split("_", 1)
    return f"${base}_{{{sub.strip('{}')}}}$"


def describe_run(view, run) -> str:
    """The text alternative of the finished run's figure."""
    _, loss, accuracy = run.curve[-1]
    solved = f"reaches 100% test accuracy at step {run.solved_at}" if run.solved_at else "never reaches 100%"
    flat = run.history[-1]
    weights = ", ".join(f"{n} = {v:.2f}" for n, v in flat.items())
    return (f"The one-unit cell trained on the storage task for {run.step} steps at the defaults: the run {solved}; "
            f"at the end the test loss is {loss:.3f} and the test accuracy {accuracy:.0%}. Weights: {weights}.")


def training_html(view) -> str:
    """The view as the website holds it: the description for trainer.js and the static figure of a finished run."""
    spec = {**view.spec(), "note": NOTE_WEB}
    payload = spec_json(spec)
    run = view.run()
    png = base64.b64encode(_png(run_figure(view, run))).decode("ascii")
    alt = html.escape(describe_run(view, run), quote=True)
    return (f'<div class="lstm-explorer" data-lstm-trainer>'
            f'<script type="application/json" class="lstm-trainer-spec">{payload}</script>'
            f'<figure class="lstm-explorer-static"><img src="data:image/png;base64,{png}" alt="{alt}">'
            f'<figcaption>{html.escape(view.title)}: a finished run at the defaults. With JavaScript on, press Start '
            f'to train it in your browser.</figcaption></figure></div>')


def trainer_esm() -> str:
    """explorer.js (the drawing helpers), mirror.js and trainer.js as the ES module anywidget loads."""
    return web_esm(("explorer.js", "mirror.js", "trainer.js"), "LSTMTrainer")


@functools.lru_cache(maxsize=1)
def _widget_class():
    import anywidget
    import traitlets

    class TrainingWidget(anywidget.AnyWidget):
        """The live training view in Jupyter: the front end asks for steps ({"type": "advance", "n": 5}) or a new
        run ({"type": "reset", "settings": {...}}); the kernel trains with lstm_book and answers with the state."""

        _esm = traitlets.Unicode(trainer_esm()).tag(sync=True)
        _css = traitlets.Unicode(front_end_css()).tag(sync=True)
        spec = traitlets.Dict().tag(sync=True)

        def __init__(self, view):
            super().__init__(spec=jsonable({**view.spec(), "note": NOTE_KERNEL}))
            self.view, self.run = view, view.run(0)
            self.on_msg(self._on_message)

        def _on_message(self, _widget, content, _buffers):
            if not isinstance(content, dict):
                return
            if content.get("type") == "reset":
                self.run = self.view.run(0, **{k: v for k, v in content.get("settings", {}).items()})
            elif content.get("type") == "advance":
                self.run.advance(int(content.get("n", 1)))
            else:
                return
            self.send({"type": "state", "seq": content.get("seq"), "state": jsonable(self.run.state())})

    return TrainingWidget


def training_widget(view):
    return _widget_class()(view)


def training_mimebundle(view, include=None, exclude=None):
    """The widget for JupyterLab and `training_html` for the website (as an explorer's output)."""
    return widget_and_html(training_widget(view), training_html(view), include, exclude)
