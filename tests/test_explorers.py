"""Explorer tests: set slider values in code, then check what was drawn against the equations."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book import lstm_forward, running_example, running_example_params
from lstm_book.explorers import (
    Explorer, Slider, cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer,
)

EXPLORERS = {
    "full": full_cell_explorer,
    "hidden": hidden_state_explorer,
    "cell": cell_state_explorer,
    **{f"gate_{g}": (lambda g=g: gate_explorer(g)) for g in "ojfi"},
}


def drawn(figure, label_part: str) -> np.ndarray:
    """The y data of the line whose label contains `label_part` (e.g. 'cell state')."""
    lines = [line for ax in figure.axes for line in ax.lines if label_part in line.get_label()]
    assert len(lines) == 1, f"expected one line labelled {label_part!r}, found {[l.get_label() for l in lines]}"
    return np.asarray(lines[0].get_ydata())


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_explorer_draws_its_defaults(name):
    explorer = EXPLORERS[name]()
    assert all(s.low <= s.default <= s.high for s in explorer.sliders)
    fig = explorer.figure()
    assert drawn(fig, "cell state").shape[0] > 10
    widget = explorer.widget()
    assert set(widget.sliders) == {s.name for s in explorer.sliders}
    assert widget.figure is not None and len(widget.output.outputs) == 1
    assert widget.output.outputs[0]["data"]["image/png"], "the Output holds the figure as a PNG"


def test_moving_b_f_makes_the_cell_hold_the_pulse():
    widget = full_cell_explorer().widget()
    ex = running_example()
    before = drawn(widget.figure, "cell state")
    widget.sliders["b_f"].value = 4.0
    after = drawn(widget.figure, "cell state")
    # independent of the explorer: the same cell run directly
    expected = lstm_forward(ex.x, running_example_params(b_f=4.0)).c[:, 0]
    assert np.allclose(after, expected)
    t = ex.pulse + 20
    assert before[t] < 0.01 < 0.5 < after[t], "with f = σ(4) ≈ 0.98 the pulse is still held 20 steps later"
    assert np.allclose(drawn(widget.figure, "forget gate")[0], 1 / (1 + math.exp(-4.0)))


def test_reset_button_restores_the_defaults():
    widget = gate_explorer("f").widget()
    default = drawn(widget.figure, "cell state").copy()
    widget.sliders["b_f"].value = 6.0
    widget.sliders["w_xf"].value = 0.0
    assert not np.allclose(drawn(widget.figure, "cell state"), default)
    widget.reset()
    assert widget.values() == gate_explorer("f").defaults()
    assert np.allclose(drawn(widget.figure, "cell state"), default)


def test_output_gate_changes_h_but_not_c():
    widget = gate_explorer("o").widget()
    c_before, h_before = drawn(widget.figure, "cell state"), drawn(widget.figure, "hidden state")
    widget.sliders["b_o"].value = -6.0
    c_after, h_after = drawn(widget.figure, "cell state"), drawn(widget.figure, "hidden state")
    assert np.array_equal(c_before, c_after), "o_t decides what is shown, not what is stored"
    assert np.allclose(h_after, np.tanh(c_after) / (1 + math.exp(6.0)))
    assert np.max(np.abs(h_after)) < 0.01 < np.max(np.abs(h_before))


def test_hidden_state_explorer_draws_h_as_tanh_c_times_o():
    widget = hidden_state_explorer().widget()
    widget.sliders["w_xi"].value = 5.0
    widget.sliders["b_o"].value = 1.5
    c, tanh_c, h, o = (drawn(widget.figure, k) for k in ("cell state", r"\tanh(c_t)", "hidden state", "output gate"))
    assert np.allclose(tanh_c, np.tanh(c)) and np.allclose(h, np.tanh(c) * o)
    assert np.allclose(o, 1 / (1 + math.exp(-1.5)))


def test_input_gate_slider_lets_distractions_in():
    explorer = gate_explorer("j")
    ex = running_example()
    closed = explorer.data()
    open_ = explorer.data(b_j=0.0)
    first = ex.distractions[0]
    # a distraction of +0.3 writes i·j = tanh(0.6)·σ(10·0.3 + b_j)
    assert np.isclose(closed["i"][first] * closed["j"][first], math.tanh(0.6) / (1 + math.exp(2.0)))
    assert np.isclose(open_["j"][first], 1 / (1 + math.exp(-3.0)))
    assert open_["c"][first] - open_["c"][first - 1] > 5 * (closed["c"][first] - closed["c"][first - 1])


def test_candidate_sign_follows_w_xi():
    explorer = gate_explorer("i")
    pulse = running_example().pulse
    assert explorer.data(w_xi=-2.0)["c"][pulse] < -0.9 < 0.9 < explorer.data(w_xi=2.0)["c"][pulse]


def test_cell_state_explorer_settles_at_the_fixed_point():
    explorer = cell_state_explorer()
    data = explorer.data(b_f=2.0, b_j=1.0, b_i=0.5, c_0=-1.0)
    f, j, i = 1 / (1 + math.exp(-2.0)), 1 / (1 + math.exp(-1.0)), math.tanh(0.5)
    assert np.isclose(float(data["c_star"]), i * j / (1 - f)) and np.isclose(float(data["tau"]), 1 / (1 - f))
    # closed form c_t = c* + f^t (c_0 - c*)
    t = data["t"]
    assert np.allclose(data["c"], i * j / (1 - f) + f ** t * (-1.0 - i * j / (1 - f)))
    widget = explorer.widget()
    widget.sliders["c_0"].value = 2.0
    assert drawn(widget.figure, "cell state")[0] > drawn(explorer.figure(), "cell state")[0]


def test_slider_values_are_checked():
    explorer = gate_explorer("f")
    with pytest.raises(ValueError, match=r"no slider named 'b_x'"):
        explorer.data(b_x=1.0)
    with pytest.raises(ValueError, match=r"slider 'b_f' should be a number in \[-8.0, 8.0\], but got 99"):
        explorer.data(b_f=99)
    with pytest.raises(ValueError, match="outside"):
        Slider("w", 0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="'g' should be one of"):
        gate_explorer("x")


def test_an_explorer_is_only_data_and_functions():
    """The abstraction works for any compute/plot pair: a toy explorer draws what compute returned."""
    calls = []

    def compute(a):
        calls.append(a)
        return {"t": np.arange(3), "c": np.full(3, a)}

    def plot(data):
        fig, ax = plt.subplots()
        ax.plot(data["t"], data["c"], label="cell state")
        return fig

    widget = Explorer("toy", (Slider("a", 0.0, 5.0, 1.0),), compute, plot).widget()
    widget.sliders["a"].value = 3.0
    assert calls == [1.0, 3.0]
    assert np.array_equal(drawn(widget.figure, "cell state"), [3.0, 3.0, 3.0])
