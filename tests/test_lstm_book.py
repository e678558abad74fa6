"""Unit and property tests of lstm_book: the equations against independent references.

The references here never call the package's own code for the value they check: each equation is worked out
with plain Python (math.exp, math.tanh, explicit loops) or with numbers worked by hand in the comments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstm_book import (
    LSTMInputError, LSTMParams, cell_state, forget_gate, hidden_state, init_params, input_gate, input_state,
    lstm_forward, lstm_step, output_gate, running_example, running_example_params, scalar_params, sigmoid, tanh,
)
from lstm_book.teaching.figures import CELL_PARTS, draw_cell, plot_series


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def affine_by_hand(x, h, W_x, W_h, b):
    """W_x x + W_h h + b with explicit loops, for one vector x (D,) and h (H,)."""
    H = len(b)
    return [sum(W_x[k][d] * x[d] for d in range(len(x))) + sum(W_h[k][m] * h[m] for m in range(len(h))) + b[k]
            for k in range(H)]


# A small example shared by the four gate equations: D = 2, H = 2.
X = [1.0, 0.5]
H_PREV = [0.2, -0.4]
W_X = [[1.0, 2.0], [0.0, -1.0]]
W_H = [[0.5, 0.0], [0.0, 0.5]]
B = [-1.0, 0.5]
# by hand: W_x x = (1 + 1, 0 - 0.5) = (2, -0.5);  W_h h = (0.1, -0.2);  + b  ->  z = (1.1, -0.2)
Z_BY_HAND = [1.1, -0.2]


def test_affine_by_hand_matches_the_comment():
    assert np.allclose(affine_by_hand(X, H_PREV, W_X, W_H, B), Z_BY_HAND)


@pytest.mark.parametrize("gate", [output_gate, forget_gate, input_gate], ids=lambda f: f.__name__)
def test_gates_by_hand(gate):
    got = gate(np.array(X), np.array(H_PREV), np.array(W_X), np.array(W_H), np.array(B))
    # σ(1.1) = 0.750260..., σ(-0.2) = 0.450166...
    assert np.allclose(got, [0.7502601, 0.4501660], atol=1e-7)
    assert np.allclose(got, [sig(z) for z in Z_BY_HAND], rtol=1e-12)


def test_input_state_by_hand():
    got = input_state(np.array(X), np.array(H_PREV), np.array(W_X), np.array(W_H), np.array(B))
    # tanh(1.1) = 0.800499..., tanh(-0.2) = -0.197375...
    assert np.allclose(got, [0.8004990, -0.1973753], atol=1e-7)
    assert np.allclose(got, [math.tanh(z) for z in Z_BY_HAND], rtol=1e-12)


def test_cell_state_by_hand():
    c_prev, f, i, j = [1.0, -2.0, 0.5], [0.9, 0.5, 0.0], [0.8, 0.2, -0.6], [0.5, 0.25, 0.9]
    # 1.0*0.9 + 0.8*0.5 = 1.3;  -2.0*0.5 + 0.2*0.25 = -0.95;  0.5*0 + -0.6*0.9 = -0.54
    assert np.allclose(cell_state(c_prev, f, i, j), [1.3, -0.95, -0.54], atol=1e-12)


def test_hidden_state_by_hand():
    c, o = [2.0, -0.5, 0.0], [0.5, 1.0, 0.9]
    # tanh(2) * 0.5 = 0.482014;  tanh(-0.5) * 1 = -0.462117;  tanh(0) * 0.9 = 0
    assert np.allclose(hidden_state(c, o), [0.4820138, -0.4621172, 0.0], atol=1e-7)


def test_activations_by_hand():
    assert sigmoid(0.0) == 0.5
    assert np.allclose(sigmoid([-2.0, 3.0]), [sig(-2.0), sig(3.0)], rtol=1e-12)
    assert np.allclose(tanh([-2.0, 3.0]), [math.tanh(-2.0), math.tanh(3.0)], rtol=1e-12)
    assert np.allclose(sigmoid(np.array([1.7])) , 1 - sigmoid(np.array([-1.7])), rtol=1e-12)  # σ(-z) = 1 - σ(z)


def test_sigmoid_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1e4, -750.0, 0.0, 750.0, 1e4]))
    assert values[0] == 0.0 and values[-1] == 1.0 and values[2] == 0.5
    assert np.all(np.diff(values) >= 0)


# ---------------------------------------------------------------- properties

small = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)
weight = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def gate_inputs(draw, batch=None):
    D = draw(st.integers(1, 3))
    H = draw(st.integers(1, 3))
    lead = () if batch is None else (draw(st.integers(1, 3)),)
    arr = lambda shape, elements: draw(hnp.arrays(np.float64, shape, elements=elements))  # noqa: E731
    return arr(lead + (D,), small), arr(lead + (H,), small), arr((H, D), weight), arr((H, H), weight), arr((H,), weight)


@given(gate_inputs(), st.sampled_from([output_gate, forget_gate, input_gate]))
def test_gates_lie_in_zero_one(args, gate):
    values = gate(*args)
    assert values.shape == args[1].shape
    assert np.all((values > 0) & (values < 1))


@given(gate_inputs(batch=True))
def test_candidate_lies_in_minus_one_one_and_batches_row_by_row(args):
    x, h, W_x, W_h, b = args
    values = input_state(x, h, W_x, W_h, b)
    assert np.all((values > -1) & (values < 1))
    for row in range(x.shape[0]):
        assert np.allclose(values[row], input_state(x[row], h[row], W_x, W_h, b))


@given(hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-50, 50)),
       hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(0.001, 0.999)))
def test_hidden_state_is_bounded_while_the_cell_state_is_not(c, o):
    n = min(len(c), len(o))
    h = hidden_state(c[:n], o[:n])
    assert np.all(np.abs(h) < 1.0)
    assert np.all(np.abs(h) <= np.abs(c[:n]) + 1e-12)  # |tanh(c)·o| <= |c|


def test_limiting_cases_of_the_cell_state():
    c_prev = np.array([3.0, -7.5, 0.25])
    i = np.array([0.9, -0.9, 0.1])
    keep_all, write_nothing = np.ones(3), np.zeros(3)
    assert np.array_equal(cell_state(c_prev, keep_all, i, write_nothing), c_prev)  # f = 1, j = 0 keeps c
    assert np.array_equal(cell_state(c_prev, write_nothing, i, keep_all), i)       # f = 0 forgets, j = 1 writes i


def test_saturated_gates_hold_the_memory_through_a_sequence():
    params = scalar_params(b_f=40.0, b_j=-40.0, b_o=0.0, w_xi=3.0)
    xs = np.linspace(-1, 1, 50).reshape(50, 1)
    trace = lstm_forward(xs, params, c0=np.array([2.5]))
    assert np.allclose(trace.c, 2.5, atol=1e-12)
    assert np.allclose(trace.h, np.tanh(2.5) * 0.5)


def test_leaky_integrator_reaches_its_fixed_point():
    params = scalar_params(b_f=2.0, b_j=1.0, b_i=0.5)
    trace = lstm_forward(np.zeros((200, 1)), params)
    f, j, i = sig(2.0), sig(1.0), math.tanh(0.5)
    assert np.isclose(trace.c[-1, 0], i * j / (1 - f), rtol=1e-9)
    # after one time constant tau = 1/(1-f) the remaining gap is close to f^tau
    tau = 1 / (1 - f)
    c_star = i * j / (1 - f)
    k = int(round(tau))
    assert np.isclose(c_star - trace.c[k - 1, 0], c_star * f ** k, rtol=1e-9)


def test_forward_matches_an_explicit_loop_over_lstm_step():
    params = init_params(3, 4, seed=7)
    xs = np.random.default_rng(1).normal(size=(9, 3))
    trace = lstm_forward(xs, params)
    h, c = np.zeros(4), np.zeros(4)
    for t, x_t in enumerate(xs):
        step = lstm_step(x_t, h, c, params)
        h, c = step.h, step.c
        for name in ("i", "j", "f", "o", "c", "h"):
            # lstm_forward is the fast cell (one stacked product, lstm_book.fast): equal up to rounding
            assert np.max(np.abs(getattr(trace, name)[t] - getattr(step, name))) <= 1e-12


def test_a_batch_equals_its_sequences_run_one_by_one():
    params = init_params(2, 3, seed=3)
    xs = np.random.default_rng(2).normal(size=(6, 4, 2))
    c0 = np.random.default_rng(3).uniform(-1, 1, (4, 3))
    batched = lstm_forward(xs, params, c0=c0)
    assert batched.h.shape == (6, 4, 3)
    for b in range(4):
        single = lstm_forward(xs[:, b], params, c0=c0[b])
        assert np.allclose(batched.c[:, b], single.c, rtol=1e-12, atol=1e-15)
        assert np.allclose(batched.h[:, b], single.h, rtol=1e-12, atol=1e-15)


def test_step_by_hand_for_the_scalar_cell():
    """One step of the running example's cell at the pulse (x = 1), from rest, worked by hand."""
    step = lstm_step(np.array([1.0]), np.zeros(1), np.zeros(1), running_example_params())
    i, j, f, o = math.tanh(2.0), sig(10 - 5), sig(6 + 1), sig(0)
    c = 0 * f + i * j
    assert np.allclose([step.i[0], step.j[0], step.f[0], step.o[0], step.c[0]], [i, j, f, o, c], rtol=1e-12)
    assert np.isclose(step.h[0], math.tanh(c) * o, rtol=1e-12)
    assert np.isclose(step.c[0], 0.957576, atol=5e-7)  # tanh(2)·σ(5) = 0.964028·0.993307


def test_gradient_of_the_memory_is_the_product_of_the_forget_gates():
    """d c_T / d c_0 by central finite differences equals prod_t f_t when no gate depends on the memory."""
    ex = running_example()
    params = running_example_params(b_f=3.0)
    eps = 1e-6
    plus = lstm_forward(ex.x, params, c0=np.array([eps])).c[-1, 0]
    minus = lstm_forward(ex.x, params, c0=np.array([-eps])).c[-1, 0]
    f = lstm_forward(ex.x, params).f[:, 0]
    assert np.isclose((plus - minus) / (2 * eps), np.prod(f), rtol=1e-6)


def test_float32_is_kept_and_float64_is_the_default():
    p64 = init_params(2, 3, seed=0)
    p32 = init_params(2, 3, seed=0, dtype=np.float32)
    assert p64.W_xi.dtype == np.float64 and p32.W_xi.dtype == np.float32
    assert lstm_forward(np.zeros((4, 2), np.float32), p32).h.dtype == np.float32
    assert lstm_forward(np.zeros((4, 2)), p64).h.dtype == np.float64
    assert output_gate(np.zeros(2, np.float32), np.zeros(3, np.float32), p32.W_xo, p32.W_ho, p32.b_o).dtype == np.float32


def test_runs_are_deterministic():
    a, b = init_params(3, 5, seed=11), init_params(3, 5, seed=11)
    assert all(np.array_equal(a.as_dict()[k], b.as_dict()[k]) for k in a.as_dict())
    assert not np.array_equal(init_params(3, 5, seed=12).W_xi, a.W_xi)
    assert np.array_equal(running_example().x, running_example().x)


def test_init_params_sets_the_forget_bias():
    p = init_params(2, 4, forget_bias=1.0, seed=0)
    assert np.all(p.b_f == 1.0) and np.all(p.b_i == 0) and np.all(p.b_j == 0) and np.all(p.b_o == 0)
    assert np.all(np.abs(p.W_xf) <= 0.5)  # uniform in ±1/sqrt(H)
    assert np.all(init_params(2, 4, forget_bias=0.0).b_f == 0.0)


def test_running_example_has_its_events():
    ex = running_example()
    assert ex.x.shape == (60, 1)
    assert ex.x[ex.pulse - 1, 0] == 1.0 and ex.x[ex.reset - 1, 0] == -1.0
    assert [ex.x[t - 1, 0] for t in ex.distractions] == [0.3, -0.3, 0.3, -0.3, 0.3]
    assert np.count_nonzero(ex.x) == 2 + len(ex.distractions)


def test_running_example_numbers_its_steps_from_1():
    """The book's one convention: steps t = 1..T after h_0 = c_0 at t = 0, so step k is index k - 1. The step
    numbers the prose states (pulse at t = 5, distractions at 13, 21, ..., reset at 50, T = 60) hold."""
    ex = running_example()
    assert np.array_equal(ex.t, np.arange(1, 61)) and ex.t[0] == 1 and ex.t[-1] == 60
    assert (ex.pulse, ex.distractions, ex.reset) == (5, (13, 21, 29, 37, 45), 50)
    assert ex.x[4, 0] == 1.0 and ex.t[4] == 5                       # the pulse: step 5, index 4
    assert ex.x[49, 0] == -1.0 and ex.t[49] == 50                   # the reset: step 50, index 49
    assert ex.x[12, 0] == 0.3 and ex.x[20, 0] == -0.3               # the first two distractions, steps 13 and 21
    assert np.flatnonzero(ex.x[:, 0]).tolist() == [k - 1 for k in (5, 13, 21, 29, 37, 45, 50)]
    # c_5 (the state right after the pulse) is at index 4; before it the cell is at rest
    c = lstm_forward(ex.x, running_example_params()).c[:, 0]
    assert np.isclose(c[4], math.tanh(2.0) * sig(5.0), rtol=1e-12) and np.all(c[:4] == 0.0)
    # another pulse step is honoured as a step number too
    assert np.flatnonzero(running_example(pulse=1).x[:, 0])[0] == 0


# ---------------------------------------------------------------- errors on bad input

def _gate_args(D=2, H=3):
    return dict(x_t=np.zeros(D), h_prev=np.zeros(H), W_xo=np.zeros((H, D)), W_ho=np.zeros((H, H)), b_o=np.zeros(H))


@pytest.mark.parametrize("arg, value, expected", [
    ("x_t", np.zeros(5), "'W_xo' should have shape (H=3, D=5) (D=5 from 'x_t'), but got shape (3, 2)"),
    ("h_prev", np.zeros(4), "'W_xo' should have shape (H=4, D=2)"),
    ("W_ho", np.zeros((3, 2)), "'W_ho' should have shape (H=3, H=3) (H=3 from 'h_prev'), but got shape (3, 2)"),
    ("b_o", np.zeros((3, 1)), "'b_o' should have shape (H=3,), but got shape (3, 1)"),
    ("x_t", np.zeros((2, 2, 2)), "'x_t' should have shape (D,) or (B, D), but got shape (2, 2, 2)"),
])
def test_wrong_shapes_name_the_argument_and_both_shapes(arg, value, expected):
    args = _gate_args()
    args[arg] = value
    with pytest.raises(LSTMInputError) as info:
        output_gate(**args)
    assert expected in str(info.value)
    assert str(info.value).startswith("output_gate: argument")


@pytest.mark.parametrize("value, words", [
    (np.zeros(2, dtype=complex), "dtype complex128"),
    (np.array(["a", "b"]), "dtype <U1"),
    (np.array([True, False]), "dtype bool"),
    (np.zeros(2, dtype=np.float16), "float64 or float32, but got dtype float16"),
])
def test_wrong_dtypes_are_refused(value, words):
    args = _gate_args()
    args["x_t"] = value
    with pytest.raises(LSTMInputError, match="argument 'x_t'") as info:
        output_gate(**args)
    assert words in str(info.value)


def test_integers_are_accepted_as_float64():
    args = _gate_args()
    args["x_t"] = np.array([1, 2])
    assert output_gate(**args).dtype == np.float64


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused_with_their_position(bad):
    c = np.array([[0.0, 1.0], [2.0, bad]])
    with pytest.raises(LSTMInputError) as info:
        hidden_state(c, np.full((2, 2), 0.5))
    message = str(info.value)
    assert "'c_t' should be finite" in message and "index (1, 1)" in message
    with pytest.raises(LSTMInputError, match="'z' should be finite"):
        sigmoid(np.array([bad]))


def test_empty_sequence_and_empty_axes_are_refused():
    params = init_params(2, 3)
    with pytest.raises(LSTMInputError, match=r"'xs' is an empty sequence \(T=0, shape \(0, 2\)\)"):
        lstm_forward(np.zeros((0, 2)), params)
    with pytest.raises(LSTMInputError, match=r"'xs' should have shape \(T, D=2\) or \(T, B, D=2\), but got shape \(5, 3\)"):
        lstm_forward(np.zeros((5, 3)), params)
    with pytest.raises(LSTMInputError, match="empty axis"):
        hidden_state(np.zeros(0), np.zeros(0))
    with pytest.raises(LSTMInputError, match=r"'h0' should have shape \(B=4, H=3\), batched like 'xs' .*, but got shape \(3,\)"):
        lstm_forward(np.zeros((5, 4, 2)), params, h0=np.zeros(3))
    with pytest.raises(LSTMInputError, match="'xs' should be finite"):
        lstm_forward(np.full((2, 2), np.nan), params)


def test_params_are_checked():
    good = init_params(2, 3).as_dict()
    with pytest.raises(LSTMInputError, match=r"'W_hj' should have shape \(H=3, H=3\)"):
        LSTMParams(**{**good, "W_hj": np.zeros((3, 2))})
    with pytest.raises(LSTMInputError, match="'params' should be an LSTMParams, but got dict"):
        lstm_step(np.zeros(2), np.zeros(3), np.zeros(3), good)
    with pytest.raises(LSTMInputError, match="'hidden_size' should be an integer >= 1, but got 0"):
        init_params(2, 0)
    with pytest.raises(LSTMInputError, match="unknown parameter"):
        scalar_params(w_xz=1.0)
    with pytest.raises(LSTMInputError, match="'b_f' should be a real number"):
        scalar_params(b_f="4")


def test_a_wrong_number_of_arguments_names_the_function():
    with pytest.raises(TypeError, match="^cell_state: "):
        cell_state(np.zeros(2), np.zeros(2), np.zeros(2))


# ---------------------------------------------------------------- figures

@pytest.mark.parametrize("part", [None, *CELL_PARTS])
def test_cell_diagram_draws_every_highlight(part):
    import matplotlib.pyplot as plt

    fig = draw_cell(part)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert r"$h_t$" in texts and r"$c_{t-1}$" in texts
    if part is not None:
        assert any(f"${part}_t =" in t for t in texts), "the highlighted equation is written under the diagram"
    plt.close(fig)
    with pytest.raises(ValueError, match="highlight"):
        draw_cell("q")


def test_plot_series_labels_every_line():
    import matplotlib.pyplot as plt

    data = {"t": np.arange(3), "x": np.zeros(3), "f": np.full(3, 0.5), "c": np.arange(3.0)}
    fig = plot_series(data, [("x",), ("f",), ("c",)])
    labels = [line.get_label() for ax in fig.axes for line in ax.lines]
    assert any("forget gate" in s for s in labels) and any("cell state" in s for s in labels)
    plt.close(fig)


def test_batch_sizes_must_agree():
    args = {k: v for k, v in _gate_args().items()}
    args["x_t"], args["h_prev"] = np.zeros((2, 2)), np.zeros((3, 3))
    with pytest.raises(LSTMInputError, match=r"'h_prev' should have shape \(H,\) or \(B=2, H\) \(B=2 from 'x_t'\), but got shape \(3, 3\)"):
        output_gate(**args)


def test_a_sequence_is_validated_once_not_at_every_step(monkeypatch):
    import lstm_book.cell
    import lstm_book.equations
    import lstm_book.validation

    params = running_example_params()
    calls = []
    real = lstm_book.validation.check_finite

    def counting(array, *, func, arg):
        calls.append((func, arg))
        return real(array, func=func, arg=arg)

    for module in (lstm_book.cell, lstm_book.equations, lstm_book.validation):
        monkeypatch.setattr(module, "check_finite", counting)
    lstm_forward(np.zeros((50, 1)), params)
    assert calls == [("lstm_forward", "xs"), ("lstm_forward", "h0"), ("lstm_forward", "c0")]
    calls.clear()
    output_gate(np.zeros(1), np.zeros(1), np.ones((1, 1)), np.ones((1, 1)), np.zeros(1))
    # σ is a public function too: it checks what it is given (z), once; the gate's five arguments are checked once
    assert calls == [("output_gate", a) for a in ("x_t", "h_prev", "W_xo", "W_ho", "b_o")] + [("sigmoid", "z")], \
        "a direct call still checks"
    calls.clear()
    lstm_step(np.zeros(1), np.zeros(1), np.zeros(1), params)
    # the step checks its three arrays once; the six equations then run unchecked (only the activations check z)
    assert calls[:3] == [("lstm_step", a) for a in ("x_t", "h_prev", "c_prev")]
    assert {func for func, _ in calls[3:]} <= {"sigmoid", "tanh"}, calls


def test_step_and_forward_agree_that_states_are_batched_like_the_input():
    params = init_params(2, 3)
    with pytest.raises(LSTMInputError, match=r"lstm_step: argument 'h_prev' should have shape \(B=4, H=3\)"):
        lstm_step(np.zeros((4, 2)), np.zeros(3), np.zeros((4, 3)), params)
    with pytest.raises(LSTMInputError, match=r"lstm_forward: argument 'c0' should have shape \(B=4, H=3\)"):
        lstm_forward(np.zeros((5, 4, 2)), params, c0=np.zeros(3))
    with pytest.raises(LSTMInputError, match=r"lstm_step: argument 'c_prev' should have shape \(H=3,\), unbatched"):
        lstm_step(np.zeros(2), np.zeros(3), np.zeros((4, 3)), params)
    with pytest.raises(LSTMInputError, match=r"output_gate: argument 'h_prev' .* with the batch axis of 'x_t'"):
        output_gate(np.zeros((4, 2)), np.zeros(3), params.W_xo, params.W_ho, params.b_o)


def test_errors_inside_the_step_name_the_callers_arguments():
    params = init_params(2, 3)
    with pytest.raises(LSTMInputError, match=r"^lstm_forward: argument 'xs' should be finite"):
        lstm_forward(np.array([[0.0, 1.0], [np.inf, 0.0]]), params)
    with pytest.raises(LSTMInputError, match=r"^lstm_step: argument 'x_t' should have shape \(D=2,\) or \(B, D=2\)"):
        lstm_step(np.zeros(5), np.zeros(3), np.zeros(3), params)
    with pytest.raises(LSTMInputError, match=r"^lstm_forward: argument 'xs' is a batch of 0 sequences"):
        lstm_forward(np.zeros((5, 0, 2)), params)


def test_sigmoid_keeps_its_relative_precision_far_out():
    # σ(-40) = 1/(1 + e^40) = e^-40 / (1 + e^-40), by hand with math.exp
    assert sigmoid(-40.0) == pytest.approx(math.exp(-40.0) / (1.0 + math.exp(-40.0)), rel=1e-14)
    assert sigmoid(-700.0) > 0.0
    for z in np.linspace(-30, 30, 61):
        assert sigmoid(z) == pytest.approx(sig(float(z)), rel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sigmoid(-1e4) == 0.0 and sigmoid(1e4) == 1.0


def test_there_is_no_mode_that_switches_the_checks_off():
    """No context or flag turns a public function's checks off: a reader's own equation that calls the package
    with a bad argument, run by lstm_step, still gets the package's error (it used to run inside trusted())."""
    import lstm_book.validation

    assert not any(hasattr(lstm_book.validation, name) for name in ("trusted", "is_trusted", "_TRUSTED"))
    params, xs = running_example_params(), running_example().x

    def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):
        return sigmoid(np.array([np.nan]))

    with pytest.raises(LSTMInputError, match=r"^sigmoid: argument 'z' should be finite"):
        lstm_step(xs[0], np.zeros(1), np.zeros(1), params, forget_gate=my_forget_gate)
    expected = lstm_forward(xs, params, h0=np.zeros(1), c0=np.zeros(1))
    assert np.array_equal(lstm_forward(xs, params).c, expected.c)
    assert np.array_equal(lstm_step(xs[0], None, None, params).h, expected.h[0])


# ---------------------------------------------------------------- a hostile caller

def _valid_calls():
    """Each public function with a valid set of arguments, by name: the sweep below spoils one at a time."""
    p = init_params(2, 3, seed=1)
    x, h, c = np.full(2, 0.5), np.full(3, -0.25), np.full(3, 0.75)
    gate = lambda g, f: (f, dict(x_t=x, h_prev=h, **{f"W_x{g}": p.W_xo, f"W_h{g}": p.W_ho, f"b_{g}": p.b_o}))  # noqa: E731
    return {
        "sigmoid": (sigmoid, dict(z=np.linspace(-3, 3, 4))),
        "tanh": (tanh, dict(z=np.linspace(-3, 3, 4))),
        "hidden_state": (hidden_state, dict(c_t=c, o_t=np.full(3, 0.5))),
        "cell_state": (cell_state, dict(c_prev=c, f_t=np.full(3, 0.5), i_t=np.full(3, 0.1), j_t=np.full(3, 0.9))),
        "output_gate": gate("o", output_gate), "forget_gate": gate("f", forget_gate),
        "input_gate": gate("j", input_gate), "input_state": gate("i", input_state),
        "LSTMParams": (LSTMParams, p.as_dict()),
        "init_params": (init_params, dict(input_size=2, hidden_size=3, forget_bias=1.0, seed=0, dtype=np.float64)),
        "scalar_params": (scalar_params, dict(w_xi=2.0, b_f=1.0)),
        "lstm_step": (lstm_step, dict(x_t=x, h_prev=h, c_prev=c, params=p)),
        "lstm_forward": (lstm_forward, dict(xs=np.full((4, 2), 0.5), params=p, h0=h, c0=c)),
        "running_example": (running_example, dict(T=30, pulse=5, pulse_height=1.0, distraction=0.3, reset=-1.0)),
        "running_example_params": (running_example_params, dict(b_f=2.0, w_xf=3.0)),
        "LSTMParams.part": (p.part, dict(g="f")),
        "LSTMParams.replace": (p.replace, dict(b_f=np.ones(3))),
    }


_CALLS = _valid_calls()
_SPOILABLE = [(name, arg) for name, (_, kwargs) in _CALLS.items() for arg in kwargs]

_bad_scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=3), st.complex_numbers(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**400, 10**400),
    st.sampled_from([[], [1.0], [[1.0, 2.0], [3.0]], {}, {"a": 1}, (1, 2), b"x", object(), np.float16(1.0),
                     np.int8(3), np.bool_(True), np.nan, 1e308, -1e308, 5e-324, np.array(2.0), np.array([]),
                     np.float32, "float32", np.int64, Ellipsis, slice(1), set()]),
)
_bad_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, np.complex128, "U2",
                           object]),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
    elements=None,
)


@pytest.mark.parametrize("name, arg", _SPOILABLE, ids=[f"{n}-{a}" for n, a in _SPOILABLE])
@given(bad=st.one_of(_bad_scalars, _bad_arrays))
def test_a_hostile_caller_gets_a_named_error_or_a_finite_answer(name, arg, bad):
    """Spoil one argument of a valid call with anything at all, warnings as errors: the call either succeeds
    with finite numbers, or raises an error that names the function and the argument; never a bare numpy
    error, never a RuntimeWarning, never a NaN."""
    function, kwargs = _CALLS[name]
    kwargs = {**kwargs, arg: bad}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = function(**kwargs)
        except (LSTMInputError, TypeError, ValueError) as exc:
            message = str(exc)
            assert f"'{arg}'" in message or (name == "scalar_params" and arg in message), (type(exc), message)
            assert message.startswith(name.split(".")[0]) or message.startswith(name), message
            return
    arrays = result.as_dict().values() if isinstance(result, LSTMParams) else (
        [result.x] if hasattr(result, "pulse") else [v for v in np.atleast_1d(result) if isinstance(v, np.ndarray)]
        if isinstance(result, tuple) else [result] if isinstance(result, np.ndarray) else [])
    for array in arrays:
        assert np.asarray(array).dtype.kind == "f" and np.all(np.isfinite(array)), (name, arg, bad)


def test_the_parameters_own_their_arrays():
    W = np.zeros((3, 2))
    p = init_params(2, 3).replace(W_xi=W)
    W[0, 0] = np.nan  # changing the caller's array later changes nothing inside
    assert np.all(np.isfinite(p.W_xi))
    with pytest.raises(ValueError, match="read-only"):
        p.b_f[0] = np.nan
    assert not np.shares_memory(p.replace().W_xi, p.W_xi) or not p.W_xi.flags.writeable


@pytest.mark.parametrize("kwargs, words", [
    (dict(forget_bias="1"), "'forget_bias' should be a real number, but got '1' (str)"),
    (dict(forget_bias=None), "'forget_bias' should be a real number, but got None"),
    (dict(forget_bias=[1.0]), "'forget_bias' should be a real number, but got [1.0] (list)"),
    (dict(forget_bias=1 + 2j), "'forget_bias' should be a real number, but got (1+2j) (complex)"),
    (dict(forget_bias=float("inf")), "'forget_bias' should be a finite number"),
    (dict(seed=None), "'seed' should be an integer >= 0, but got None; the book's parameters are always seeded"),
    (dict(seed=-1), "'seed' should be an integer >= 0, but got -1"),
    (dict(seed=1.5), "'seed' should be an integer, but got 1.5 (float)"),
    (dict(seed="0"), "'seed' should be an integer, but got '0' (str)"),
    (dict(dtype="float16"), "'dtype' should be np.float64 or np.float32, but got 'float16'"),
    (dict(dtype=None), "'dtype' should be np.float64 or np.float32, but got None"),
    (dict(dtype="banana"), "'dtype' should be np.float64 or np.float32, but got 'banana'"),
    (dict(dtype=int), "'dtype' should be np.float64 or np.float32"),
    (dict(hidden_size=10**6, input_size=10**6), "would make 4·H·(D+H+1) = 8e+12 numbers"),
    (dict(hidden_size=10**400), "4·H·(D+H+1) = about 10^800 numbers"),
])
def test_init_params_names_every_bad_setting(kwargs, words):
    args = dict(input_size=2, hidden_size=3)
    args.update(kwargs)
    with pytest.raises(LSTMInputError) as info:
        init_params(**args)
    assert str(info.value).startswith("init_params: ") and words in str(info.value)


def test_init_params_accepts_every_reasonable_setting():
    assert init_params(2, 3, seed=np.int64(4), forget_bias=np.float32(2.0), dtype="float32").b_f.dtype == np.float32
    assert np.all(init_params(2, 3, forget_bias=2).b_f == 2.0)


def test_overflow_is_an_error_or_a_finite_answer_never_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LSTMInputError, match="'w_xi' should be a finite number .* but got 1000"):
            scalar_params(w_xi=10**400)
        # a huge weight on a small input: the pre-activation is finite and the gate saturates
        assert lstm_forward(np.ones((3, 1)), scalar_params(w_xj=1e300, b_f=1.0)).j[0, 0] == 1.0
        # a pre-activation beyond float64: a clear error that names the culprit
        with pytest.raises(LSTMInputError, match=r"^lstm_forward: the computation overflowed .* 'xs'"):
            lstm_forward(np.full((3, 1), 1e300), scalar_params(w_xi=1e300))
        with pytest.raises(LSTMInputError, match=r"^lstm_step: the computation overflowed .* 'params.W_xf'"):
            lstm_step(np.full(1, 10.0), np.zeros(1), np.zeros(1), scalar_params(w_xf=1e308))
        with pytest.raises(LSTMInputError, match=r"^output_gate: the computation overflowed .* 'W_ho'"):
            output_gate(np.ones(1), np.ones(1), np.ones((1, 1)), np.full((1, 1), 1e308), np.full(1, 1e308))
        with pytest.raises(LSTMInputError, match=r"^cell_state: the computation overflowed"):
            cell_state(np.full(1, 1e308), np.ones(1), np.full(1, 1e308), np.ones(1))


@pytest.mark.parametrize("kwargs, words", [
    (dict(T=10**9), "'T' should be an integer in [20, 100000], but got 1000000000"),
    (dict(T=20.5), "'T' should be an integer"),
    (dict(pulse=2.5), "'pulse' should be an integer"),
    (dict(pulse=50), "'pulse' should be an integer in [1, 45]"),
    (dict(pulse=0), "'pulse' should be an integer in [1, 45]"),
    (dict(pulse_height=float("nan")), "'pulse_height' should be a finite number"),
    (dict(reset=None), "'reset' should be a real number, but got None"),
    (dict(distraction=[1, 2]), "'distraction' should be a real number"),
])
def test_the_running_example_refuses_bad_settings(kwargs, words):
    with pytest.raises(LSTMInputError) as info:
        running_example(**kwargs)
    assert words in str(info.value)


def test_show_source_names_what_it_cannot_show():
    from lstm_book.teaching.notebook import show_source

    with pytest.raises(TypeError, match=r"show_source: argument 1 should be a function, class or module .* \(ufunc\)"):
        show_source(np.tanh)
    with pytest.raises(TypeError, match=r"argument 2 should be .* but got 'lstm_step' \(str\)"):
        show_source(lstm_step, "lstm_step")
    assert "def lstm_step" in show_source(lstm_step).data
