"""Explorer tests: set slider values in code, then check what was drawn against the equations."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book import lstm_forward, running_example, running_example_params
from lstm_book import forget_gate, sigmoid
from lstm_book.teaching.explorers import (
    Explorer, Panel, Slider, cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer,
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
    assert set(widget.values()) == {s.name for s in explorer.sliders}
    assert np.array_equal(widget.arrays()["c"], explorer.data()["c"]), "the widget starts at the defaults"
    spec = widget.spec
    assert [s["name"] for s in spec["sliders"]] == [s.name for s in explorer.sliders]
    assert all(name in spec["styles"] for p in spec["panels"] for name in p["series"])


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_the_website_view_holds_the_description_and_a_static_figure(name):
    """What the site shows with JavaScript off (an image with a text alternative) and what the front end reads."""
    import json
    import re

    explorer = EXPLORERS[name]()
    page = explorer.html()
    spec = json.loads(re.search(r'<script type="application/json" class="lstm-explorer-spec">(.*?)</script>', page).group(1))
    assert spec["mirror"] is not None, "the website computes it with the JavaScript mirror"
    assert np.allclose(spec["data"]["c"], explorer.data()["c"])
    alt = re.search(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page).group(1)
    assert "cell state c_t from" in alt or "cell state c_t constant" in alt, alt
    assert "data-lstm-explorer" in page and "</script>" in page


def test_moving_b_f_makes_the_cell_hold_the_pulse():
    widget = full_cell_explorer().widget()
    ex = running_example()
    before = widget.arrays()["c"]
    widget.set(b_f=4.0)
    after = widget.arrays()["c"]
    # independent of the explorer: the same cell run directly
    expected = lstm_forward(ex.x, running_example_params(b_f=4.0)).c[:, 0]
    assert np.allclose(after, expected)
    t = ex.pulse + 20 - 1    # the index of step pulse + 20 (step k is index k - 1)
    assert before[t] < 0.01 < 0.5 < after[t], "with f = σ(4) ≈ 0.98 the pulse is still held 20 steps later"
    assert np.allclose(widget.arrays()["f"][0], 1 / (1 + math.exp(-4.0)))


def test_the_front_end_asks_and_python_answers():
    """A slider move from the page arrives as `request`; the answer carries the same sequence number."""
    widget = gate_explorer("f").widget()
    widget.request = {"values": {"w_xf": 6.0, "w_hf": 0.0, "b_f": 3.0}, "seq": 7}
    assert widget.data["seq"] == 7
    assert np.allclose(widget.data["f"][0], 1 / (1 + math.exp(-3.0)))


def test_a_message_from_the_page_is_answered_with_the_data():
    """What the front end does in JupyterLab: a custom message per slider move, answered by one message."""
    widget = gate_explorer("f").widget()
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    widget._on_message(widget, {"type": "request", "values": {"w_xf": 6.0, "w_hf": 0.0, "b_f": 3.0}, "seq": 9}, [])
    assert len(sent) == 1 and sent[0]["type"] == "data" and sent[0]["data"]["seq"] == 9
    assert np.allclose(sent[0]["data"]["c"], gate_explorer("f").data(b_f=3.0)["c"])
    assert widget.values()["b_f"] == 3.0 and np.allclose(widget.arrays()["c"], sent[0]["data"]["c"])
    assert widget.spec["transport"] == "message"


def test_reset_button_restores_the_defaults():
    widget = gate_explorer("f").widget()
    default = widget.arrays()["c"].copy()
    widget.set(b_f=6.0, w_xf=0.0)
    assert not np.allclose(widget.arrays()["c"], default)
    widget.reset()
    assert widget.values() == gate_explorer("f").defaults()
    assert np.allclose(widget.arrays()["c"], default)


def test_set_from_code_tells_the_front_end_where_the_sliders_go():
    """set() and reset() send the values with the data, so the sliders on screen move there (explorer.js draws
    them); a move by the reader's hand sends none (the slider is already there, and a late answer must not pull it
    back during a drag)."""
    widget = gate_explorer("f").widget()
    widget.set(b_f=4.0)
    assert widget.data["values"] == {**gate_explorer("f").defaults(), "b_f": 4.0} and widget.data["seq"] is None
    widget.reset()
    assert widget.data["values"] == gate_explorer("f").defaults()
    sent = []
    widget.send = sent.append
    widget._on_message(widget, {"type": "request", "values": {"b_f": 3.0}, "seq": 4}, [])
    assert "values" not in sent[0]["data"] and sent[0]["data"]["seq"] == 4
    assert set(widget.arrays()) == set(gate_explorer("f").data())


def test_an_observation_figure_draws_its_setting():
    fig = gate_explorer("f").figure(b_f=4.0)
    assert np.allclose(drawn(fig, "cell state"), lstm_forward(running_example().x, running_example_params(b_f=4.0)).c[:, 0])
    assert "$b_{f}$ = 4" in fig.axes[0].get_title(loc="left")


def test_output_gate_changes_h_but_not_c():
    explorer = gate_explorer("o")
    before, after = explorer.data(), explorer.data(b_o=-6.0)
    assert np.array_equal(before["c"], after["c"]), "o_t decides what is shown, not what is stored"
    assert np.allclose(after["h"], np.tanh(after["c"]) / (1 + math.exp(6.0)))
    assert np.max(np.abs(after["h"])) < 0.01 < np.max(np.abs(before["h"]))


def test_hidden_state_explorer_draws_h_as_tanh_c_times_o():
    fig = hidden_state_explorer().figure(w_xi=5.0, b_o=1.5)
    c, tanh_c, h, o = (drawn(fig, k) for k in ("cell state", r"\tanh(c_t)", "hidden state", "output gate"))
    assert np.allclose(tanh_c, np.tanh(c)) and np.allclose(h, np.tanh(c) * o)
    assert np.allclose(o, 1 / (1 + math.exp(-1.5)))


def test_input_gate_slider_lets_distractions_in():
    explorer = gate_explorer("j")
    ex = running_example()
    closed = explorer.data()
    open_ = explorer.data(b_j=0.0)
    first = ex.distractions[0] - 1   # the index of the first distraction's step
    # a distraction of +0.3 writes i·j = tanh(0.6)·σ(10·0.3 + b_j)
    assert np.isclose(closed["i"][first] * closed["j"][first], math.tanh(0.6) / (1 + math.exp(2.0)))
    assert np.isclose(open_["j"][first], 1 / (1 + math.exp(-3.0)))
    assert open_["c"][first] - open_["c"][first - 1] > 5 * (closed["c"][first] - closed["c"][first - 1])


def test_candidate_sign_follows_w_xi():
    explorer = gate_explorer("i")
    pulse = running_example().pulse - 1   # the index of the pulse's step
    assert explorer.data(w_xi=-2.0)["c"][pulse] < -0.9 < 0.9 < explorer.data(w_xi=2.0)["c"][pulse]


def test_cell_state_explorer_settles_at_the_fixed_point():
    explorer = cell_state_explorer()
    data = explorer.data(b_f=2.0, b_j=1.0, b_i=0.5, c_0=-1.0)
    f, j, i = 1 / (1 + math.exp(-2.0)), 1 / (1 + math.exp(-1.0)), math.tanh(0.5)
    assert np.isclose(float(data["c_star"]), i * j / (1 - f)) and np.isclose(float(data["tau"]), 1 / (1 - f))
    # closed form c_t = c* + f^t (c_0 - c*)
    t = data["t"]
    assert np.allclose(data["c"], i * j / (1 - f) + f ** t * (-1.0 - i * j / (1 - f)))
    assert drawn(explorer.figure(c_0=2.0), "cell state")[0] > drawn(explorer.figure(), "cell state")[0]


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
    """The abstraction works for any compute: a toy explorer draws and serves what compute returned."""
    calls = []

    def compute(a):
        calls.append(a)
        return {"t": np.arange(3), "c": np.full(3, a)}

    explorer = Explorer("toy", (Slider("a", 0.0, 5.0, 1.0),), compute, (Panel(("c",)),), caption="A toy.")
    widget = explorer.widget()
    widget.set(a=3.0)
    assert calls[-1] == 3.0
    assert np.array_equal(widget.arrays()["c"], [3.0, 3.0, 3.0])
    assert np.array_equal(drawn(explorer.figure(a=2.0), "cell state"), [2.0, 2.0, 2.0])
    assert explorer.spec()["mirror"] is None, "no JavaScript computation: live in Jupyter only"


# ---- the reader's own functions drive an explorer (in Jupyter)

def test_a_correct_own_function_gives_the_packages_figure():
    def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):
        return sigmoid(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)

    mine, package = gate_explorer("f", forget_gate=my_forget_gate), gate_explorer("f")
    for values in ({}, {"b_f": 4.0}, {"w_hf": -3.0, "b_f": 2.0}):
        ours, theirs = mine.data(**values), package.data(**values)
        for name in "ijfoch":
            assert np.allclose(ours[name], theirs[name], rtol=0, atol=1e-12), (name, values)
    assert "your forget_gate" in mine.title and mine.mirror is None
    widget = mine.widget()
    widget.set(b_f=4.0)
    assert np.allclose(widget.arrays()["c"], package.data(b_f=4.0)["c"])


def test_a_wrong_own_function_gives_a_visibly_different_figure():
    def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):
        return np.tanh(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)   # tanh where σ belongs

    wrong, right = gate_explorer("f", forget_gate=my_forget_gate).data(), gate_explorer("f").data()
    assert np.max(np.abs(wrong["f"] - right["f"])) > 0.5, "the f_t panel: negative 'gates' at the distractions"
    assert np.max(np.abs(wrong["c"] - right["c"])) > 0.04


def test_own_functions_of_every_kind_are_used():
    calls = []

    def spy(name, fn):
        def wrapped(*args):
            calls.append(name)
            return fn(*args)
        return wrapped

    from lstm_book import cell_state, hidden_state
    full_cell_explorer(hidden_state=spy("h", hidden_state)).data()
    cell_state_explorer(cell_state=spy("c", cell_state)).data()
    assert calls.count("h") == 60 and calls.count("c") == 40
    assert np.allclose(cell_state_explorer(cell_state=cell_state).data()["c"], cell_state_explorer().data()["c"])


def test_own_functions_are_checked():
    with pytest.raises(ValueError, match="no equation named 'forget_gate' can be replaced here"):
        gate_explorer("o", forget_gate=forget_gate)
    with pytest.raises(ValueError, match="'forget_gate' should be a function"):
        gate_explorer("f", forget_gate=1.0)
    with pytest.raises(Exception, match="your forget_gate returned"):
        gate_explorer("f", forget_gate=lambda *a: np.array([np.nan])).data()
    with pytest.raises(Exception, match="your forget_gate returned"):
        gate_explorer("f", forget_gate=lambda *a: "0.5").data()


def test_an_unwritten_own_function_is_reported_in_words():
    def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):
        raise NotImplementedError

    bundle = gate_explorer("f", forget_gate=my_forget_gate)._repr_mimebundle_()
    assert "forget_gate is not written yet" in bundle["text/plain"]
    wrong_shape = gate_explorer("f", forget_gate=lambda *a: np.zeros(3))._repr_mimebundle_()
    assert "your forget_gate returned" in wrong_shape["text/plain"]


def test_a_log_panel_draws_magnitudes_over_decades():
    """For Part II's gradients: a panel can show |value| on a log axis, in the static figure and in the spec."""
    def compute(a):
        t = np.arange(20)
        return {"t": t, "c": -(a ** t)}

    explorer = Explorer("decay", (Slider("a", 0.1, 0.9, 0.5),), compute, (Panel(("c",), scale="log"),), caption="A decay.")
    fig = explorer.figure()
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and np.allclose(drawn(fig, "cell state"), 0.5 ** np.arange(20))
    low, high = ax.get_ylim()
    assert low <= 0.5 ** 19 and high >= 1.0
    assert explorer.spec()["panels"][0]["scale"] == "log"
    with pytest.raises(ValueError, match="'scale' should be"):
        Panel(("c",), scale="symlog")


@pytest.mark.parametrize("make", [full_cell_explorer, hidden_state_explorer, lambda: gate_explorer("f"),
                                  lambda: __import__("lstm_book.teaching.explorers", fromlist=["x"]).backward_explorer(),
                                  lambda: __import__("lstm_book.teaching.explorers", fromlist=["x"]).gradient_flow_explorer()])
def test_event_markers_sit_on_the_steps_the_text_states(make):
    """One time-index convention: the running example's steps are t = 1..60 (h_0 = c_0 at t = 0); the pulse is
    drawn at t = 5, the distractions at t = 13, 21, 29, 37, 45 and the reset at t = 50, exactly where the input
    is nonzero in the plotted data."""
    explorer = make()
    spec = explorer.spec()
    marks = {(e["kind"], e["t"]) for e in spec["events"]}
    assert marks == {("pulse", 5), ("reset", 50), *(("distractions", k) for k in (13, 21, 29, 37, 45))}
    data = explorer.data()
    assert np.asarray(data["t"])[0] == 1 and np.asarray(data["t"])[-1] == 60
    nonzero = set(np.asarray(data["t"])[np.asarray(data["x"]) != 0].tolist())
    assert nonzero == {t for _, t in marks}


def test_the_leaky_integrator_uses_the_same_convention():
    """Chapter 3's explorer (its own constant-gate experiment) also numbers its steps t = 1..T from c_0 at t = 0."""
    from lstm_book.teaching.explorers import leaky_integrator_data
    d = leaky_integrator_data(b_f=0.0, b_j=0.0, b_i=0.0, c_0=2.0, T=10)
    assert np.array_equal(d["t"], np.arange(1, 11))
    f, i, j = 0.5, 0.0, 0.5
    assert np.isclose(d["c"][0], f * 2.0 + i * j)    # index 0 is c_1, one step after c_0
