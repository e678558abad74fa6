"""Interactive explorers: data first, widget second.

An `Explorer` is a description: its sliders (a name as in the equations, a range, a default), a pure
`compute` function from slider values to the arrays to draw (numpy, from `lstm_book`), the panels to draw
(which quantities, in the colours of `lstm_book.teaching.figures.STYLE`), the events of the input signal and any
reference lines. From that one description come

* the live view in JupyterLab, `Explorer.widget()`: the front end `lstm_book/teaching/web/explorer.js` (an
  anywidget) draws, and on every slider move Python computes with `compute`, so the reader's own code can drive it;
* the live view on the website: the same front end, where `lstm_book/teaching/web/mirror.js`, a JavaScript copy
  of the scalar cell's arithmetic, computes (`spec()["mirror"]` names the computation and its fixed inputs);
  tests/test_mirror.py holds that copy to this package's numbers;
* the static figure (`Explorer.figure`, matplotlib): at the defaults it is what the website shows with
  JavaScript off, and with other values it is the figure of a guided observation;
* tests, which set values in code and check what was computed and drawn (`Explorer.data`, `ExplorerWidget`).

Guided observations are data too: ``explorer.with_observations([("2. b_o = 6", {"b_o": 6.0}), ...])`` gives the
explorer its chapter's settings. The live view draws one button per setting that moves every slider there (the
sliders not named back to their defaults), exactly as a hand on the sliders would; `Explorer.observations()`
draws the same settings as small multiples (the print and no-JavaScript version), and a figure of some of them
names them by label (``explorer.observations(["2. b_o = 6"])``, ``explorer.figure(observation="2. b_o = 6")``), so
that a chapter writes each setting once.

The modules, each importing only those listed before it:

* `html_view`: the website's view (`Explorer.html()`), and the front end's files and JSON;
* `figure`: the matplotlib figures (`Explorer.figure()`, `Explorer.observations()`);
* `widget`: the live view in JupyterLab (`ExplorerWidget`);
* `description`: `Slider`, `Panel`, `ReferenceLine` and `Explorer`, whose methods hand it to the three views;
* `part1`, `part2`: the chapters' explorers of Part I (the cell) and Part II (how it learns);
* `training`, `training_views`: chapter 10's training view (`TrainingView`), its run and its three views;
* `text_view`, `text_views`: chapter 12's text view (`TextView`: the reader's text through the trained language
  model, and its sampler) and its views.

Adding an explorer: write its compute function (slider values -> dict of arrays, with "t"), describe it with
`Explorer(...)`, and, for it to respond on the website, give `mirror=` a computation that `mirror.js` knows
(or register a new one there and add it to tests/test_mirror.py). The front end needs no change.
"""

from .description import Explorer, Panel, ReferenceLine, Slider
from .html_view import WEB_DIR
from .part1 import (cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer,
                    leaky_integrator_data, running_example_data)
from .part2 import LOSS_STEP, backward_data, backward_explorer, gradient_flow_data, gradient_flow_explorer
from .text_view import TextView
from .training import TrainingRun, TrainingView
from .widget import widget_class


def __getattr__(name):
    if name == "ExplorerWidget":  # anywidget is imported only when a widget is made
        return widget_class(Explorer)
    raise AttributeError(name)


__all__ = ["Slider", "Panel", "ReferenceLine", "Explorer", "ExplorerWidget", "WEB_DIR", "running_example_data",
           "leaky_integrator_data", "full_cell_explorer", "gate_explorer", "hidden_state_explorer",
           "cell_state_explorer", "backward_data", "backward_explorer", "gradient_flow_data", "gradient_flow_explorer",
           "LOSS_STEP", "TrainingView", "TrainingRun", "TextView"]
