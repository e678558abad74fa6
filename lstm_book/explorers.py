"""Interactive explorers: data first, widget second.

An `Explorer` is a description: its sliders (a name as in the equations, a range, a default), a pure
`compute` function from slider values to the arrays to draw (numpy, from `lstm_book`), and a `plot` function
from those arrays to a matplotlib Figure. From that one description come

* the live view in Jupyter: `Explorer.widget()` (sliders and an Output, redrawn on every change);
* the static figure at the defaults that the website shows (the Output holds it when the page is built);
* tests, which set values in code and check what was drawn (`Explorer.figure`, `ExplorerWidget.figure`).

The explorers of the chapters are made by the functions at the bottom of this module.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np

from .cell import lstm_forward, scalar_params
from .equations import sigmoid, tanh
from .plots import plot_series
from .tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params
from .validation import LSTMInputError, check_integer, check_number

__all__ = [
    "Slider",
    "Explorer",
    "ExplorerWidget",
    "running_example_data",
    "full_cell_explorer",
    "gate_explorer",
    "hidden_state_explorer",
    "cell_state_explorer",
]


@dataclass(frozen=True)
class Slider:
    """One parameter of an explorer: `name` as in the equations (plain text: w_xf, b_f), its range and default."""

    name: str
    low: float
    high: float
    default: float
    step: float = 0.1

    def __post_init__(self):
        for arg in ("low", "high", "default", "step"):
            check_number(getattr(self, arg), func=f"Slider {self.name!r}", arg=arg)
        if not self.low < self.high or not self.step > 0:
            raise LSTMInputError(f"Slider {self.name!r}: arguments 'low' < 'high' and 'step' > 0 are needed, but got "
                                 f"low={self.low}, high={self.high}, step={self.step}")
        if not self.low <= self.default <= self.high:
            raise LSTMInputError(f"Slider {self.name!r}: argument 'default' = {self.default} is outside the range "
                                 f"of arguments 'low' = {self.low} and 'high' = {self.high}")


@dataclass(frozen=True)
class Explorer:
    """A list of sliders, a compute function and a plot function (see the module docstring)."""

    title: str
    sliders: tuple[Slider, ...]
    compute: Callable[..., Mapping[str, np.ndarray]]
    plot: Callable[[Mapping[str, np.ndarray]], object]
    columns: int = 1
    _names: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_names", tuple(s.name for s in self.sliders))

    def defaults(self) -> dict[str, float]:
        """The slider values the explorer starts from (and the website shows)."""
        return {s.name: s.default for s in self.sliders}

    def values(self, **changes: float) -> dict[str, float]:
        """The defaults with `changes` applied, each checked against its slider's range."""
        values = self.defaults()
        for name, value in changes.items():
            if name not in values:
                raise LSTMInputError(f"{self.title}: no slider named {name!r}; the sliders are {list(self._names)}")
            slider = next(s for s in self.sliders if s.name == name)
            number = check_number(value, func=self.title, arg=name)  # refuses bool, str, NaN, ...
            if not slider.low <= number <= slider.high:
                raise LSTMInputError(
                    f"{self.title}: slider {name!r} should be a number in [{slider.low}, {slider.high}], but got {value!r}"
                )
            values[name] = number
        return values

    def data(self, **changes: float) -> Mapping[str, np.ndarray]:
        """The arrays drawn for these slider values (defaults for the ones not given)."""
        return self.compute(**self.values(**changes))

    def figure(self, **changes: float):
        """The Figure for these slider values: the static figure of the website when called with none."""
        return self.plot(self.data(**changes))

    def widget(self) -> "ExplorerWidget":
        """The live view: sliders and the figure, redrawn whenever a slider moves."""
        return ExplorerWidget(self)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


class ExplorerWidget:
    """The ipywidgets view of an `Explorer`: a grid of sliders, a reset button and an Output with the figure.

    `sliders` maps names to FloatSliders; setting ``sliders["b_f"].value = 4`` redraws at once (as moving the
    slider does). `figure` is the matplotlib Figure drawn last and `data` the arrays it was drawn from.
    """

    def __init__(self, explorer: Explorer):
        import ipywidgets as widgets

        if not isinstance(explorer, Explorer):
            raise LSTMInputError(f"ExplorerWidget: argument 'explorer' should be an Explorer (e.g. gate_explorer('f')), "
                                 f"but got {type(explorer).__name__}")

        self.explorer = explorer
        # one column of long sliders (fine control), or a grid when there are many; fits the website's column
        width = 420 if explorer.columns == 1 else 660 // explorer.columns
        self.sliders = {
            s.name: widgets.FloatSlider(
                value=s.default, min=s.low, max=s.high, step=s.step, description=s.name,
                continuous_update=False, readout_format=".2f",
                style={"description_width": "40px"}, layout=widgets.Layout(width=f"{width}px"),
            )
            for s in explorer.sliders
        }
        self.output = widgets.Output()
        reset = widgets.Button(description="reset to defaults", layout=widgets.Layout(width="160px"))
        reset.on_click(lambda _: self.reset())
        grid = widgets.GridBox(
            list(self.sliders.values()),
            layout=widgets.Layout(grid_template_columns=f"repeat({explorer.columns}, {width + 6}px)"),
        )
        header = widgets.HTML(
            f"<b>{explorer.title}</b><br><span style='color:#666;font-size:0.9em'>Move a slider and the figure "
            "is recomputed (in Jupyter; on the website the figure shows the default values).</span>"
        )
        self.view = widgets.VBox([header, grid, reset, self.output])
        self.figure = None
        self.data = None
        self._quiet = False
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self.redraw()

    def values(self) -> dict[str, float]:
        return {name: slider.value for name, slider in self.sliders.items()}

    def reset(self):
        """Put every slider back to its default, with one redraw at the end."""
        self._quiet = True
        try:
            for s in self.explorer.sliders:
                self.sliders[s.name].value = s.default
        finally:
            self._quiet = False
        self.redraw()

    def _on_change(self, _change):
        if not self._quiet:
            self.redraw()

    def redraw(self):
        """Compute the data for the current slider values and draw the figure into the Output.

        The figure goes into the Output's state as one PNG, replacing the last one in a single update (no
        flicker, and it works with or without a running kernel); the built website shows that stored PNG.
        """
        self.data = self.explorer.data(**self.values())
        self.figure = self.explorer.plot(self.data)
        png = base64.b64encode(_png(self.figure)).decode("ascii")
        text = f"<figure: {self.explorer.title}, {', '.join(f'{k}={v:g}' for k, v in self.values().items())}>"
        self.output.outputs = (
            {"output_type": "display_data", "data": {"image/png": png, "text/plain": text}, "metadata": {}},
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.view._repr_mimebundle_(**kwargs)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.view)


# --------------------------------------------------------------------------------------------------
# The explorers of the chapters. All run on the book's running example (lstm_book.tasks) unless noted.

def running_example_data(**weights: float) -> dict[str, np.ndarray]:
    """Run the scalar cell with these weights over the running example; every quantity as a (T,) array."""
    example = running_example()
    trace = lstm_forward(example.x, running_example_params(**weights))
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=example.t, x=example.x[:, 0], tanh_c=np.tanh(trace.c[:, 0]))
    return data


_EVENTS = {
    "pulse": running_example().pulse,
    "distractions": running_example().distractions,
    "reset": running_example().reset,
}


def _sliders(names: Sequence[str], weight_range=(-10.0, 10.0), bias_range=(-8.0, 8.0)) -> tuple[Slider, ...]:
    out = []
    for name in names:
        low, high = bias_range if name.startswith("b") else weight_range
        out.append(Slider(name, low, high, RUNNING_EXAMPLE_WEIGHTS[name]))
    return tuple(out)


def _running_plot(panels, title):
    return lambda data: plot_series(data, panels, title=title, events=_EVENTS)


def full_cell_explorer() -> Explorer:
    """Chapter 0: all twelve weights and biases of the scalar cell; plots the gates, c_t and h_t over time."""
    names = [f"{kind}{g}" for g in "ijfo" for kind in ("w_x", "w_h", "b_")]
    return Explorer(
        title="The whole cell on the running example",
        sliders=_sliders(names),
        compute=running_example_data,
        plot=_running_plot([("x",), ("j", "f", "o"), ("i",), ("c", "h")], "gates, cell state and hidden state"),
        columns=3,  # one row per part: w_x?, w_h?, b_?
    )


_GATE_NAMES = {"i": "input state (candidate) i_t", "j": "input gate j_t", "f": "forget gate f_t", "o": "output gate o_t"}


def gate_explorer(g: str) -> Explorer:
    """Chapters 2, 4, 5, 6: the weights w_xg, w_hg and bias b_g of one part g ('o', 'f', 'j' or 'i');
    plots that part and c_t over time (and h_t for the output gate, which acts on it)."""
    if not isinstance(g, str) or g not in _GATE_NAMES:
        raise LSTMInputError(f"gate_explorer: argument 'g' should be one of {sorted(_GATE_NAMES)}, but got {g!r}")
    last = ("c", "h") if g == "o" else ("c",)
    return Explorer(
        title=f"The {_GATE_NAMES[g]} on the running example",
        sliders=_sliders([f"w_x{g}", f"w_h{g}", f"b_{g}"]),
        compute=running_example_data,
        plot=_running_plot([("x",), (g,), last], f"{_GATE_NAMES[g]} and the cell state"),
    )


def hidden_state_explorer() -> Explorer:
    """Chapter 1: h_t has no weights of its own, so the sliders are the output gate's; plots o_t, and c_t with
    tanh(c_t) and h_t beside it, to show that h_t is tanh(c_t) scaled down by o_t."""
    return Explorer(
        title="The hidden state h_t = tanh(c_t) ⊙ o_t on the running example",
        sliders=_sliders(["w_xo", "w_ho", "b_o"]) + (Slider("w_xi", -10.0, 10.0, RUNNING_EXAMPLE_WEIGHTS["w_xi"]),),
        compute=running_example_data,
        plot=_running_plot([("x",), ("o",), ("c",), ("tanh_c", "h")], "what the cell shows of its memory"),
    )


def leaky_integrator_data(b_f: float, b_j: float, b_i: float, c_0: float, T: int = 40) -> dict[str, np.ndarray]:
    """The cell with every weight 0, so that the gates are constants set by their biases, started from c_0.

    Then c_t = f·c_{t-1} + i·j is a leaky integrator: it approaches c* = i·j / (1 − f) with time constant
    τ = 1 / (1 − f) steps. Returns the simulated quantities (from `lstm_forward`) and the theory ("c_star", "tau").
    The steps are numbered t = 1..T (c_0 is the given start, not part of the arrays): ``data["c"][k]`` is
    c_{k+1}, and ``data["t"][k]`` says so.
    """
    b_f = check_number(b_f, func="leaky_integrator_data", arg="b_f")
    if not -700.0 <= b_f <= 700.0:  # e^b_f stays within float64
        raise LSTMInputError(f"leaky_integrator_data: argument 'b_f' should be in [-700, 700], but got {b_f}")
    b_j, b_i, c_0 = (check_number(value, func="leaky_integrator_data", arg=name)
                     for name, value in (("b_j", b_j), ("b_i", b_i), ("c_0", c_0)))
    T = check_integer(T, func="leaky_integrator_data", arg="T", low=1, high=100_000)
    params = scalar_params(b_f=b_f, b_j=b_j, b_i=b_i)
    trace = lstm_forward(np.zeros((T, 1)), params, c0=np.array([c_0]))
    j, i = float(sigmoid(b_j)), float(tanh(b_i))
    tau = 1.0 + np.exp(b_f)  # = 1 / (1 - f) for f = σ(b_f), without dividing by 1 - f (which is 0.0 for b_f ≥ 37)
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=np.arange(1, T + 1), c_star=np.array(i * j * tau), tau=np.array(tau))
    return data


def _plot_leaky(data):
    c_star, tau = float(data["c_star"]), float(data["tau"])
    return plot_series(
        data, [("j", "f"), ("i",), ("c",)],
        title=f"constant gates: c* = i·j/(1−f) = {c_star:.2f},  τ = 1/(1−f) = {tau:.1f} steps",
        hlines=[(r"fixed point $c^* = ij/(1-f)$", c_star, "#7b241c")],
        vlines=[(r"one time constant $\tau = 1/(1-f)$", tau, "#2471a3")] if tau <= data["t"][-1] else [],
    )


def cell_state_explorer() -> Explorer:
    """Chapter 3: the cell state as a leaky integrator. Biases set constant gates; c_0 is the initial memory."""
    return Explorer(
        title="The cell state c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t with constant gates",
        sliders=(Slider("b_f", -6.0, 6.0, 1.0), Slider("b_j", -6.0, 6.0, 0.0), Slider("b_i", -3.0, 3.0, 1.0),
                 Slider("c_0", -3.0, 3.0, 0.0)),
        compute=leaky_integrator_data,
        plot=_plot_leaky,
    )
