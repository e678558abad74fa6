"""The explorers of Part I, the cell equation by equation (chapters 0-7).

* `full_cell_explorer`: all twelve weights and biases of the scalar cell (chapters 0, 3, 7);
* `gate_explorer`: one part's weights and bias, the output gate, forget gate, input gate or input state
  (chapters 2, 4, 5, 6);
* `hidden_state_explorer`: h_t = tanh(c_t) ⊙ o_t (chapter 1);
* `cell_state_explorer`: the cell state as a leaky integrator, with constant gates (chapter 3);
* `running_example_data`, `leaky_integrator_data`: what they compute, as arrays.

All but `cell_state_explorer` and `leaky_integrator_data` (the cell with every weight 0) run on the book's
running example (`lstm_book.tasks`). Each explorer can be driven by the reader's own equations
(``gate_explorer("f", forget_gate=my_forget_gate)``): the step is then `lstm_step` with those functions in place
of the book's, in Jupyter only (the website's JavaScript copy knows only the book's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from lstm_book import (RUNNING_EXAMPLE_WEIGHTS, LSTMParams, Trace, lstm_forward, lstm_step, running_example,
                       running_example_params, scalar_params)
from lstm_book.teaching.figures.plots import REFERENCE_COLOURS, plain_label
from lstm_book.validation import LSTMInputError, check_integer, check_number

from .description import Explorer, Panel, ReferenceLine, Slider

__all__ = ["running_example_data", "leaky_integrator_data", "full_cell_explorer", "gate_explorer",
           "hidden_state_explorer", "cell_state_explorer"]

#: The equations a reader can write and drive an explorer with, in the order of the chapters.
_EQUATIONS = ("hidden_state", "output_gate", "cell_state", "forget_gate", "input_gate", "input_state")


def step_by_step(xs: np.ndarray, params: LSTMParams, c0: np.ndarray | None = None,
                 functions: Mapping[str, Callable] | None = None) -> Trace:
    """`lstm_step` over the sequence `xs`, one step at a time from h_0 = 0 and c_0 = `c0` (default 0), with
    `functions` ({"forget_gate": my_forget_gate, ...}, the reader's own) in place of the book's equations.

    `lstm_step` checks what every such function returns (a finite array shaped like the book's result). Part II's
    explorers compute their forward pass with it too: the arithmetic the website's JavaScript mirror repeats.
    """
    h = np.zeros(params.hidden_size)
    c = h if c0 is None else c0
    steps = []
    for x_t in xs:
        step = lstm_step(x_t, h, c, params, **(functions or {}))
        h, c = step.h, step.c
        steps.append(step)
    return Trace(*(np.stack(values) for values in zip(*steps)))


def _check_functions(functions: Mapping[str, Callable], allowed: Sequence[str], func: str):
    for name, fn in functions.items():
        if name not in allowed:
            raise LSTMInputError(f"{func}: no equation named {name!r} can be replaced here; expected some of {list(allowed)}")
        if not callable(fn):
            raise LSTMInputError(f"{func}: argument {name!r} should be a function like lstm_book.{name}, but got "
                             f"{type(fn).__name__}")


def running_example_data(functions: Mapping[str, Callable] | None = None, **weights: float) -> dict[str, np.ndarray]:
    """Run the scalar cell with these weights over the running example; every quantity as a (T,) array.

    With `functions` ({"forget_gate": my_forget_gate, ...}) the step is `lstm_step` with those equations replaced
    by the reader's own (`step_by_step`); without, it is `lstm_forward`.
    """
    example = running_example()
    params = running_example_params(**weights)
    trace = step_by_step(example.x, params, functions=functions) if functions else lstm_forward(example.x, params)
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=example.t, x=example.x[:, 0], tanh_c=np.tanh(data["c"]))
    return data


def running_events() -> dict:
    """The running example's events, for an explorer's `events`: the pulse, the distractions and the reset."""
    example = running_example()
    return {"pulse": example.pulse, "distractions": example.distractions, "reset": example.reset}


def _sliders(names: Sequence[str], weight_range=(-10.0, 10.0), bias_range=(-8.0, 8.0)) -> tuple[Slider, ...]:
    out = []
    for name in names:
        low, high = bias_range if name.startswith("b") else weight_range
        out.append(Slider(name, low, high, RUNNING_EXAMPLE_WEIGHTS[name]))
    return tuple(out)


def running_mirror(name: str = "scalar_cell", **fixed) -> dict:
    """The website's computation `name` (one that mirror.js knows) on the running example, for an explorer's
    `mirror`: the input, the running example's weights, zero initial states, and the `fixed` inputs it needs."""
    example = running_example()
    return {"name": name, "x": example.x[:, 0], "t": example.t, "params": dict(RUNNING_EXAMPLE_WEIGHTS),
            "h0": 0.0, "c0": 0.0, "state": {}, **fixed}


def _running_explorer(title, sliders, panels, caption, functions, func, allowed, columns=1):
    functions = dict(functions or {})
    _check_functions(functions, allowed, func)
    compute = functools.partial(running_example_data, functions) if functions else running_example_data
    if functions:
        title += " (driven by your " + ", ".join(functions) + ")"
    return Explorer(
        title=title, sliders=sliders, compute=compute, panels=tuple(Panel(tuple(p)) for p in panels),
        caption=caption, events=running_events(), mirror=None if functions else running_mirror(), columns=columns,
        own=tuple(functions),
    )


def _summary(panels) -> str:
    return "; ".join(", ".join(plain_label(n) for n in p) for p in panels)


def full_cell_explorer(**functions: Callable) -> Explorer:
    """Chapter 0: all twelve weights and biases of the scalar cell; plots the gates, c_t and h_t over time.

    functions: optionally the reader's own equations, e.g. ``full_cell_explorer(forget_gate=my_forget_gate)``.
    """
    names = [f"{kind}{g}" for g in "ijfo" for kind in ("w_x", "w_h", "b_")]
    panels = [("x",), ("j", "f", "o"), ("i",), ("c", "h")]
    return _running_explorer(
        "The whole cell on the running example", _sliders(names), panels,
        f"Four panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "full_cell_explorer", list(_EQUATIONS), columns=3,
    )


_GATE_NAMES = {"i": "input state (candidate) i_t", "j": "input gate j_t", "f": "forget gate f_t", "o": "output gate o_t"}
_GATE_FUNCTIONS = {"i": "input_state", "j": "input_gate", "f": "forget_gate", "o": "output_gate"}


def gate_explorer(g: str, **functions: Callable) -> Explorer:
    """Chapters 2, 4, 5, 6: the weights w_xg, w_hg and bias b_g of one part g ('o', 'f', 'j' or 'i');
    plots that part and c_t over time (and h_t for the output gate, which acts on it).

    functions: optionally the reader's own function for that part, e.g.
    ``gate_explorer("f", forget_gate=my_forget_gate)``: the figure is then computed with it (in Jupyter).
    """
    if not isinstance(g, str) or g not in _GATE_NAMES:
        raise LSTMInputError(f"gate_explorer: argument 'g' should be one of {sorted(_GATE_NAMES)}, but got {g!r}")
    last = ("c", "h") if g == "o" else ("c",)
    panels = [("x",), (g,), last]
    return _running_explorer(
        f"The {_GATE_NAMES[g]} on the running example", _sliders([f"w_x{g}", f"w_h{g}", f"b_{g}"]), panels,
        f"Three panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "gate_explorer", [_GATE_FUNCTIONS[g]],
    )


def hidden_state_explorer(**functions: Callable) -> Explorer:
    """Chapter 1: h_t has no weights of its own, so the sliders are the output gate's; plots o_t, and c_t with
    tanh(c_t) and h_t beside it, to show that h_t is tanh(c_t) scaled down by o_t.

    functions: optionally ``hidden_state=my_hidden_state``.
    """
    panels = [("x",), ("o",), ("c",), ("tanh_c", "h")]
    return _running_explorer(
        "The hidden state h_t = tanh(c_t) ⊙ o_t on the running example",
        _sliders(["w_xo", "w_ho", "b_o"]) + (Slider("w_xi", -10.0, 10.0, RUNNING_EXAMPLE_WEIGHTS["w_xi"]),),
        panels, f"Four panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "hidden_state_explorer", ["hidden_state"],
    )


def leaky_integrator_data(b_f: float, b_j: float, b_i: float, c_0: float, T: int = 40,
                          functions: Mapping[str, Callable] | None = None) -> dict[str, np.ndarray]:
    """The cell with every weight 0, so that the gates are constants set by their biases, started from c_0.

    Then c_t = f·c_{t-1} + i·j is a leaky integrator: it approaches c* = i·j / (1 − f) with time constant
    τ = 1 / (1 − f) steps. Returns the simulated quantities and the theory ("c_star", "tau").
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
    xs, c0 = np.zeros((T, 1)), np.array([c_0])
    trace = step_by_step(xs, params, c0, functions) if functions else lstm_forward(xs, params, c0=c0)
    data = {name: values[:, 0] for name, values in trace._asdict().items()}
    j, i = data["j"][0], data["i"][0]
    tau = 1.0 + np.exp(b_f)  # = 1 / (1 - f) for f = σ(b_f), without dividing by 1 - f (which is 0.0 for b_f ≥ 37)
    data.update(t=np.arange(1, T + 1), x=np.zeros(T), tanh_c=np.tanh(data["c"]),
                c_star=np.array(i * j * tau), tau=np.array(tau))
    return data


def cell_state_explorer(**functions: Callable) -> Explorer:
    """Chapter 3: the cell state as a leaky integrator. Biases set constant gates; c_0 is the initial memory.

    functions: optionally ``cell_state=my_cell_state``.
    """
    functions = dict(functions)
    _check_functions(functions, ["cell_state"], "cell_state_explorer")
    panels = (Panel(("j", "f")), Panel(("i",)), Panel(("c",)))
    T = 40
    return Explorer(
        title="The cell state c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t with constant gates"
              + (" (driven by your cell_state)" if functions else ""),
        sliders=(Slider("b_f", -6.0, 6.0, 1.0), Slider("b_j", -6.0, 6.0, 0.0), Slider("b_i", -3.0, 3.0, 1.0),
                 Slider("c_0", -3.0, 3.0, 0.0)),
        compute=functools.partial(leaky_integrator_data, T=T, functions=functions or None),
        panels=panels,
        caption=f"Three panels over the {T} time steps t = 1..{T}, from c_0 at t = 0 (the book's convention), with "
                f"every weight 0: {_summary([p.series for p in panels])}, "
                "with the fixed point c* (dashed) and one time constant τ (dotted).",
        lines=(ReferenceLine("fixed point c* = i·j / (1 − f)", "c_star", "h", REFERENCE_COLOURS[0], "fixed point c*"),
               ReferenceLine("one time constant τ = 1 / (1 − f)", "tau", "v", REFERENCE_COLOURS[1], "time constant τ")),
        own=tuple(functions),
        mirror=None if functions else {"name": "constant_gates", "x": np.zeros(T), "t": np.arange(1, T + 1),
                                       "params": {k: 0.0 for k in RUNNING_EXAMPLE_WEIGHTS}, "h0": 0.0, "c0": 0.0,
                                       "state": {"c_0": "c0"}},
    )
