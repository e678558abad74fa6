"""The backward pass (lstm_book.backward) against three independent references: numbers worked by hand,
central finite differences of the forward pass, and PyTorch's autograd on nn.LSTM with the book's weights mapped
in (float64, 1e-10 absolute on every gradient). The last section proves that these checks can fail: every
backward equation is altered in turn, and the gradient check and the PyTorch comparison must both reject it.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import lstm_book.backward as bw
from lstm_book import LSTMInputError, LSTMParams, Step, init_params, lstm_forward, lstm_step, running_example_params
from lstm_book.backward import (
    Gradients, cell_state_backward, forget_gate_backward, hidden_state_backward, input_gate_backward, input_state_backward, lstm_backward, lstm_step_backward,
    output_gate_backward,
)
from lstm_book.gradients import GradientCheck, clip_by_global_norm, gradient_check
from test_fast import random_params, to_torch_lstm

PARAM_NAMES = list(LSTMParams.NAMES)


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def problem(T=4, batch=2, D=3, H=2, seed=0, scale=2.0):
    """A small random problem with D ≠ H, nonzero h0 and c0, nonzero biases and a random dh = ∂L/∂h_t."""
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    params = random_params(D, H, seed, scale=scale)
    xs = rng.normal(size=(T,) + lead + (D,))
    h0, c0 = rng.uniform(-0.9, 0.9, lead + (H,)), rng.normal(0, 1.5, lead + (H,))
    dh = rng.normal(size=(T,) + lead + (H,))
    return xs, params, h0, c0, dh


def lstm_check(xs, params, h0, c0, dh, eps=1e-5) -> GradientCheck:
    """The gradient check of `lstm_backward` on the loss L = Σ dh ⊙ h, whose ∂L/∂h_t is exactly dh."""
    trace = lstm_forward(xs, params, h0, c0)
    grads = lstm_backward(xs, params, trace, dh, h0, c0)

    def loss(xs, h0, c0, **p):
        return float(np.sum(dh * lstm_forward(xs, LSTMParams(**p), h0, c0).h))

    return gradient_check(loss, {"xs": xs, "h0": h0, "c0": c0, **params.as_dict()}, grads._asdict(), eps=eps)


def torch_gradients(xs, params, h0, c0, dh) -> dict[str, np.ndarray]:
    """PyTorch autograd's gradients of L = Σ dh ⊙ h, translated to the book's names."""
    lstm = to_torch_lstm(params)
    X = torch.tensor(xs, requires_grad=True)
    H0, C0 = torch.tensor(h0[None], requires_grad=True), torch.tensor(c0[None], requires_grad=True)
    out, _ = lstm(X, (H0, C0))
    (out * torch.from_numpy(dh)).sum().backward()
    H = params.hidden_size
    grads = {"xs": X.grad.numpy(), "h0": H0.grad.numpy()[0], "c0": C0.grad.numpy()[0]}
    for k, g in enumerate("jfio"):  # torch's blocks i, f, g, o are the book's j, f, i, o
        rows = slice(k * H, (k + 1) * H)
        grads[f"W_x{g}"] = lstm.weight_ih_l0.grad.numpy()[rows]
        grads[f"W_h{g}"] = lstm.weight_hh_l0.grad.numpy()[rows]
        grads[f"b_{g}"] = lstm.bias_ih_l0.grad.numpy()[rows]
    assert np.allclose(lstm.bias_ih_l0.grad.numpy(), lstm.bias_hh_l0.grad.numpy(), rtol=0, atol=1e-12)  # only the sum matters
    return grads


def torch_difference(xs, params, h0, c0, dh) -> float:
    """The largest absolute difference between lstm_backward and PyTorch over every gradient."""
    ours = lstm_backward(xs, params, lstm_forward(xs, params, h0, c0), dh, h0, c0)._asdict()
    theirs = torch_gradients(xs, params, h0, c0, dh)
    assert set(ours) == set(theirs)
    return max(float(np.max(np.abs(ours[k] - theirs[k]))) for k in ours)


# ------------------------------------------------------------------ each equation, by hand

def test_hidden_state_backward_by_hand():
    # h = tanh(c)·o with c = 0.5, o = 0.8, dh = 2:  do = 2·tanh(0.5) = 0.924234;  dc = 2·0.8·(1 − 0.213552) = 1.258316
    dc, do = hidden_state_backward(np.array([2.0]), np.array([0.5]), np.array([0.8]))
    assert np.isclose(do[0], 2 * math.tanh(0.5), rtol=1e-14) and np.isclose(do[0], 0.924234, atol=1e-6)
    assert np.isclose(dc[0], 2 * 0.8 * (1 - math.tanh(0.5) ** 2), rtol=1e-14) and np.isclose(dc[0], 1.258316, atol=1e-6)


def test_cell_state_backward_by_hand():
    # c = c_prev·f + i·j: each factor gets the other one, times dc = 3
    dc_prev, df, di, dj = cell_state_backward(*(np.array([v]) for v in (3.0, 1.5, 0.25, -0.5, 0.75)))
    assert (dc_prev[0], df[0], di[0], dj[0]) == (0.75, 4.5, 2.25, -1.5)


@pytest.mark.parametrize("backward, activation, derivative", [
    (output_gate_backward, sig, lambda y: y * (1 - y)),
    (forget_gate_backward, sig, lambda y: y * (1 - y)),
    (input_gate_backward, sig, lambda y: y * (1 - y)),
    (input_state_backward, math.tanh, lambda y: 1 - y * y),
], ids=lambda v: getattr(v, "__name__", ""))
def test_gate_backward_by_hand_scalar(backward, activation, derivative):
    # one unit, one input: z = w_x·x + w_h·h + b = 0.5·1.2 + (−1)·0.3 + 0.2 = 0.5
    x, h, w_x, w_h, b, dy = 1.2, 0.3, 0.5, -1.0, 0.2, 1.5
    y = activation(w_x * x + w_h * h + b)
    dz = dy * derivative(y)
    dx, dh_prev, dW_x, dW_h, db = backward(np.array([dy]), np.array([y]), np.array([x]), np.array([h]),
                                           np.array([[w_x]]), np.array([[w_h]]))
    expected = (dz * w_x, dz * w_h, dz * x, dz * h, dz)
    for got, want in zip((dx, dh_prev, dW_x, dW_h, db), expected):
        assert np.allclose(got, want, rtol=1e-14, atol=0)
    assert dW_x.shape == (1, 1) and db.shape == (1,)


def test_the_running_example_step_by_hand():
    """The pulse step of the running example (x = 1 from rest), with dh = 1 and nothing from the future:
    dc = o·(1 − tanh²(c)), and the forget gate gets dc·c_prev = 0 because the memory was empty."""
    params = running_example_params()
    step = lstm_step(np.array([1.0]), np.zeros(1), np.zeros(1), params)
    g = lstm_step_backward(np.ones(1), np.zeros(1), np.array([1.0]), np.zeros(1), np.zeros(1), step, params)
    i, j, o = math.tanh(2.0), sig(5.0), 0.5
    c = i * j
    dc = o * (1 - math.tanh(c) ** 2)
    assert np.isclose(g.b_o[0], math.tanh(c) * o * (1 - o), rtol=1e-14)
    assert np.isclose(g.b_i[0], dc * j * (1 - i * i), rtol=1e-14)
    assert np.isclose(g.b_j[0], dc * i * j * (1 - j), rtol=1e-14)
    assert g.b_f[0] == 0.0 and g.W_hf[0, 0] == 0.0
    assert np.isclose(g.c_prev[0], dc * sig(7.0), rtol=1e-14)


# ------------------------------------------------------------------ finite differences

@pytest.mark.parametrize("batch", [None, 3])
def test_lstm_backward_passes_the_gradient_check(batch):
    result = lstm_check(*problem(batch=batch))
    assert result.passed, str(result)
    assert result.max_relative < 1e-7, str(result)
    assert set(result.relative) == {*PARAM_NAMES, "xs", "h0", "c0"}


def test_the_step_backward_passes_the_gradient_check():
    assert step_check(lstm_step_backward).passed


@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.one_of(st.none(), st.integers(1, 3)),
       st.integers(0, 10**6))
def test_lstm_backward_agrees_with_finite_differences_for_any_sizes(T, D, H, batch, seed):
    result = lstm_check(*problem(T, batch, D, H, seed))
    assert result.passed, str(result)


def test_elementwise_backward_functions_against_finite_differences():
    from lstm_book.equations import cell_state, hidden_state

    rng = np.random.default_rng(3)
    values = {name: rng.uniform(0.1, 0.9, (2, 3)) for name in ("c_t", "o_t", "c_prev", "f_t", "i_t", "j_t")}
    dy = rng.normal(size=(2, 3))
    dc_t, do_t = hidden_state_backward(dy, values["c_t"], values["o_t"])
    result = gradient_check(lambda c_t, o_t: float(np.sum(dy * hidden_state(c_t, o_t))),
                            {k: values[k] for k in ("c_t", "o_t")}, {"c_t": dc_t, "o_t": do_t})
    assert result.passed and result.max_relative < 1e-8, str(result)
    names = ("c_prev", "f_t", "i_t", "j_t")
    grads = dict(zip(names, cell_state_backward(dy, *(values[k] for k in names))))
    result = gradient_check(lambda **v: float(np.sum(dy * cell_state(**v))), {k: values[k] for k in names}, grads)
    assert result.passed and result.max_relative < 1e-8, str(result)


# ------------------------------------------------------------------ PyTorch autograd, float64

@pytest.mark.parametrize("batch", [None, 1, 4])
def test_lstm_backward_equals_pytorch_autograd(batch):
    xs, params, h0, c0, dh = problem(T=6, batch=batch, D=3, H=4, seed=21)
    assert torch_difference(xs, params, h0, c0, dh) <= 1e-10


def test_lstm_backward_equals_pytorch_on_a_longer_saturated_sequence():
    xs, params, h0, c0, dh = problem(T=30, batch=2, D=2, H=5, seed=22, scale=6.0)
    assert torch_difference(xs, params, h0, c0, dh) <= 1e-10


def test_the_fast_backward_equals_the_step_by_step_backward_to_1e_12():
    xs, params, h0, c0, dh = problem(T=7, batch=3, D=2, H=3, seed=5)
    trace = lstm_forward(xs, params, h0, c0)
    fast = lstm_backward(xs, params, trace, dh, h0, c0)
    readable = step_by_step_backward(xs, params, trace, dh, h0, c0)
    for name in fast._fields:
        assert np.max(np.abs(getattr(fast, name) - readable[name])) <= 1e-12, name


def step_by_step_backward(xs, params, trace, dh, h0, c0, step_backward=None):
    """Backpropagation through time written with `lstm_step_backward` (the readable reference)."""
    step_backward = step_backward or bw.lstm_step_backward
    h_prev = np.concatenate([h0[None], trace.h[:-1]])
    c_prev = np.concatenate([c0[None], trace.c[:-1]])
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    total = {name: 0.0 for name in PARAM_NAMES}
    dxs = np.zeros_like(xs)
    for t in range(len(xs) - 1, -1, -1):
        g = step_backward(dh[t] + dh_next, dc_next, xs[t], h_prev[t], c_prev[t], Step(*(a[t] for a in trace)), params)
        dh_next, dc_next, dxs[t] = g.h_prev, g.c_prev, g.x_t
        for name in PARAM_NAMES:
            total[name] = total[name] + getattr(g, name)
    return {**total, "xs": dxs, "h0": dh_next, "c0": dc_next}


# ------------------------------------------------------------------ properties

@given(st.integers(0, 10**6), st.floats(-3, 3))
def test_the_gradient_is_linear_in_dh(seed, a):
    xs, params, h0, c0, dh = problem(T=3, batch=2, seed=seed)
    dh2 = np.random.default_rng(seed + 1).normal(size=dh.shape)
    trace = lstm_forward(xs, params, h0, c0)
    g1, g2 = (lstm_backward(xs, params, trace, d, h0, c0) for d in (dh, dh2))
    both = lstm_backward(xs, params, trace, a * dh + dh2, h0, c0)
    for name in Gradients._fields:
        assert np.allclose(getattr(both, name), a * getattr(g1, name) + getattr(g2, name), rtol=1e-9, atol=1e-12)


@given(st.integers(0, 10**6))
def test_a_batch_sums_the_gradients_of_its_sequences(seed):
    xs, params, h0, c0, dh = problem(T=3, batch=3, seed=seed)
    batched = lstm_backward(xs, params, lstm_forward(xs, params, h0, c0), dh, h0, c0)
    singles = [lstm_backward(xs[:, b], params, lstm_forward(xs[:, b], params, h0[b], c0[b]), dh[:, b], h0[b], c0[b])
               for b in range(3)]
    for name in PARAM_NAMES:
        assert np.allclose(getattr(batched, name), sum(getattr(s, name) for s in singles), rtol=1e-10, atol=1e-13)
    for b, single in enumerate(singles):
        assert np.allclose(batched.xs[:, b], single.xs, rtol=1e-10, atol=1e-13)
        assert np.allclose(batched.c0[b], single.c0, rtol=1e-10, atol=1e-13)


def test_the_future_does_not_reach_the_past():
    """An error only at step 0 gives no gradient to any later input: the forward pass is causal."""
    xs, params, h0, c0, dh = problem(T=5, batch=2, seed=8)
    dh[1:] = 0.0
    g = lstm_backward(xs, params, lstm_forward(xs, params, h0, c0), dh, h0, c0)
    assert np.all(g.xs[1:] == 0.0) and np.any(g.xs[0] != 0.0)


def test_no_error_gives_zero_gradients():
    xs, params, h0, c0, dh = problem(seed=2)
    g = lstm_backward(xs, params, lstm_forward(xs, params, h0, c0), np.zeros_like(dh), h0, c0)
    assert all(np.all(a == 0.0) for a in g)


def test_float32_is_kept_end_to_end():
    xs, params, h0, c0, dh = problem(T=5, batch=2, seed=3)
    p32 = LSTMParams(**{k: v.astype(np.float32) for k, v in params.as_dict().items()})
    args32 = [a.astype(np.float32) for a in (xs, h0, c0, dh)]
    trace = lstm_forward(args32[0], p32, args32[1], args32[2])
    g32 = lstm_backward(args32[0], p32, trace, args32[3], args32[1], args32[2])
    g64 = lstm_backward(xs, params, lstm_forward(xs, params, h0, c0), dh, h0, c0)
    for name in Gradients._fields:
        assert getattr(g32, name).dtype == np.float32, name
        assert getattr(g32, name).shape == getattr(g64, name).shape
        assert np.allclose(getattr(g32, name), getattr(g64, name), rtol=1e-3, atol=1e-4), name


def test_the_memory_path_is_the_product_of_the_forget_gates():
    """With every recurrent weight 0 the gates do not depend on the past, and ∂c_T/∂c_0 = Π f_t exactly."""
    params = running_example_params(b_f=3.0)
    xs = np.random.default_rng(0).normal(0, 0.3, (40, 1))
    trace = lstm_forward(xs, params)
    # L = c_T enters only through h_T = tanh(c_T)·o_T: dh_T = 1 / (o_T (1 − tanh² c_T)) makes ∂L/∂c_T = 1
    dh = np.zeros((40, 1))
    dh[-1] = 1.0 / (trace.o[-1] * (1 - np.tanh(trace.c[-1]) ** 2))
    g = lstm_backward(xs, params, trace, dh)
    assert np.isclose(g.c0[0], np.prod(trace.f[:, 0]), rtol=1e-12)


# ------------------------------------------------------------------ bad input

def _good():
    xs, params, h0, c0, dh = problem(T=4, batch=2, D=3, H=2, seed=0)
    return dict(xs=xs, params=params, trace=lstm_forward(xs, params, h0, c0), dh=dh, h0=h0, c0=c0)


@pytest.mark.parametrize("change, message", [
    (lambda a: {"trace": (1, 2)}, r"^lstm_backward: argument 'trace' should be the Trace that lstm_forward returned, but got tuple"),
    (lambda a: {"trace": lstm_forward(a["xs"][:3], a["params"], a["h0"], a["c0"])},
     r"^lstm_backward: argument 'trace' does not belong to these inputs: trace.i should have shape \(4, 2, 2\)"),
    (lambda a: {"trace": lstm_forward(a["xs"], a["params"])},
     r"^lstm_backward: argument 'trace' does not belong to these inputs: its first step differs"),
    (lambda a: {"trace": lstm_forward(a["xs"], a["params"].replace(b_f=a["params"].b_f + 1), a["h0"], a["c0"])},
     r"its first step differs"),
    (lambda a: {"dh": a["dh"][:, :, :1]}, r"^lstm_backward: argument 'dh' should have the shape of trace.h, \(4, 2, 2\), but got shape \(4, 2, 1\)"),
    (lambda a: {"dh": np.where(a["dh"] > 1, np.inf, a["dh"])}, r"^lstm_backward: argument 'dh' should be finite"),
    (lambda a: {"dh": a["dh"].astype(np.float16)}, r"^lstm_backward: argument 'dh' should be float64 or float32"),
    (lambda a: {"xs": a["xs"][:, :, :2]}, r"^lstm_backward: argument 'xs' should have shape \(T, D=3\) or \(T, B, D=3\)"),
    (lambda a: {"h0": a["h0"][0]}, r"^lstm_backward: argument 'h0' should have shape \(B=2, H=2\)"),
    (lambda a: {"params": a["params"].as_dict()}, r"^lstm_backward: argument 'params' should be an LSTMParams"),
])
def test_bad_input_to_lstm_backward_is_refused_clearly(change, message):
    args = _good()
    args.update(change(args))
    with pytest.raises(LSTMInputError, match=message):
        lstm_backward(**args)


def test_a_trace_with_a_nan_is_refused():
    args = _good()
    args["trace"] = args["trace"]._replace(c=np.full_like(args["trace"].c, np.nan))
    with pytest.raises(LSTMInputError, match=r"argument 'trace.c' should be finite"):
        lstm_backward(**args)


def test_bad_input_to_gradient_check_and_clipping():
    with pytest.raises(LSTMInputError, match="'loss' should be a function"):
        gradient_check(3.0, {"a": np.zeros(2)}, {"a": np.zeros(2)})
    with pytest.raises(LSTMInputError, match=r"'grads' should name some of the inputs \['a'\], but got \['b'\]"):
        gradient_check(lambda a: 0.0, {"a": np.zeros(2)}, {"b": np.zeros(2)})
    with pytest.raises(LSTMInputError, match=r"grads\['a'\] should have the shape of inputs\['a'\], \(2,\)"):
        gradient_check(lambda a: 0.0, {"a": np.zeros(2)}, {"a": np.zeros(3)})
    with pytest.raises(LSTMInputError, match="'eps' should be a float in"):
        gradient_check(lambda a: 0.0, {"a": np.zeros(2)}, {"a": np.zeros(2)}, eps=0.5)
    with pytest.raises(LSTMInputError, match="'max_norm' should be a positive number, but got -1"):
        clip_by_global_norm({"a": np.ones(2)}, -1)
    with pytest.raises(LSTMInputError, match=r"grads\['a'\]' should be finite"):
        clip_by_global_norm({"a": np.array([np.nan])}, 1.0)


def test_clipping_keeps_the_direction_and_caps_the_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}        # global norm 5
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    assert np.allclose(clipped["a"], [0.6, 0.0]) and np.allclose(clipped["b"], [[0.8]])
    same, norm = clip_by_global_norm(grads, 10.0)
    assert norm == 5.0 and np.array_equal(same["a"], grads["a"])


def test_gradient_check_reports_a_wrong_gradient():
    result = gradient_check(lambda a: float(np.sum(a**3)), {"a": np.array([1.0, 2.0])}, {"a": np.array([3.0, 11.0])})
    assert not result.passed and result.relative["a"] == pytest.approx(1 / 12, rel=1e-6)
    assert "FAILED" in str(result)


# ------------------------------------------------------------------ proof that the checks can fail

def step_check(step_backward) -> GradientCheck:
    """Gradient check of one step back, L = Σ dh ⊙ h_t + Σ dc ⊙ c_t, through `lstm_step` (the readable forward)."""
    rng = np.random.default_rng(31)
    params = random_params(3, 2, seed=31)
    x, h, c = rng.normal(size=(2, 3)), rng.uniform(-0.9, 0.9, (2, 2)), rng.normal(0, 1.5, (2, 2))
    dh, dc = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    step = lstm_step(x, h, c, params)
    # dc enters the step as the error from c_{t+1}: lstm_step_backward adds it to what comes through h_t
    g = step_backward(dh, dc, x, h, c, step, params)
    grads = {"x_t": g.x_t, "h_prev": g.h_prev, "c_prev": g.c_prev, **{k: getattr(g, k) for k in PARAM_NAMES}}

    def loss(x_t, h_prev, c_prev, **p):
        s = lstm_step(x_t, h_prev, c_prev, LSTMParams(**p))
        return float(np.sum(dh * s.h) + np.sum(dc * s.c))

    return gradient_check(loss, {"x_t": x, "h_prev": h, "c_prev": c, **params.as_dict()}, grads)


def step_torch_difference(step_backward) -> float:
    """One step back against PyTorch autograd, as the difference over every gradient."""
    xs, params, h0, c0, dh = problem(T=3, batch=2, D=3, H=2, seed=41)
    trace = lstm_forward(xs, params, h0, c0)
    ours = step_by_step_backward(xs, params, trace, dh, h0, c0, step_backward)
    theirs = torch_gradients(xs, params, h0, c0, dh)
    return max(float(np.max(np.abs(ours[k] - theirs[k]))) for k in theirs)


LINEAR_BACKWARD = bw.linear_backward  # the correct one, kept before any test replaces it

# Each backward equation with one typical mistake (the mistakes readers make, and the ones in published code).
EQUATION_MUTANTS = {
    "hidden_state_backward: tanh' left out": (
        "hidden_state_backward", lambda dh, c, o: (dh * o, dh * np.tanh(c))),
    "output_gate_backward: σ' written as σ": (
        "output_gate_backward", lambda do, o, x, h, W_x, W_h: bw.linear_backward(do * o, x, h, W_x, W_h)),
    "cell_state_backward: the forget gate left out on the way to c_{t-1}": (
        "cell_state_backward", lambda dc, c_prev, f, i, j: (dc, dc * c_prev, dc * j, dc * i)),
    "cell_state_backward: i and j swapped": (
        "cell_state_backward", lambda dc, c_prev, f, i, j: (dc * f, dc * c_prev, dc * i, dc * j)),
    "forget_gate_backward: σ' written as σ": (
        "forget_gate_backward", lambda df, f, x, h, W_x, W_h: bw.linear_backward(df * f, x, h, W_x, W_h)),
    "input_gate_backward: tanh' where σ' belongs": (
        "input_gate_backward", lambda dj, j, x, h, W_x, W_h: bw.linear_backward(dj * (1 - j**2), x, h, W_x, W_h)),
    "input_state_backward: σ' where tanh' belongs": (
        "input_state_backward", lambda di, i, x, h, W_x, W_h: bw.linear_backward(di * i * (1 - i), x, h, W_x, W_h)),
    "linear_backward: W not transposed on the way to h_{t-1}": (
        "linear_backward", lambda dz, x, h, W_x, W_h: (dz @ W_x, dz @ W_h.T, *LINEAR_BACKWARD(dz, x, h, W_x, W_h)[2:])),
}


@pytest.mark.parametrize("name", EQUATION_MUTANTS)
def test_every_wrong_backward_equation_is_rejected(monkeypatch, name):
    assert step_check(lstm_step_backward).passed and step_torch_difference(lstm_step_backward) <= 1e-10
    function, wrong = EQUATION_MUTANTS[name]
    monkeypatch.setattr(bw, function, wrong)
    result = step_check(bw.lstm_step_backward)
    assert not result.passed and result.max_relative > 1e-3, f"the gradient check missed: {name}\n{result}"
    assert step_torch_difference(bw.lstm_step_backward) > 1e-3, f"the PyTorch comparison missed: {name}"


# The same mistakes in the fast backward pass, made by editing one line of its source.
FAST_MUTANTS = {
    "h: tanh' left out": ("via_h_to_c = np.square(tanh_c)", "via_h_to_c = np.zeros_like(tanh_c)"),
    "o: σ' written as σ": ("via_h_to_zo = np.subtract(1, o)", "via_h_to_zo = np.ones_like(o)"),
    "c: the error from c_{t+1} forgotten": ("dc_t += dc_next", "dc_t += 0"),
    "c: the forget gate left out on the way to c_{t-1}": ("dc_next = dc_t * f[t]", "dc_next = dc_t * 1"),
    "f: c_t where c_{t-1} belongs": ("via_f[1:] *= c[:-1]", "via_f[1:] *= c[1:]"),
    "j: σ' written as σ": ("np.subtract(1, j, out=via_j)", "via_j[...] = 1"),
    "i: tanh' left out": ("np.square(i, out=via_i)", "via_i[...] = 0"),
    "h: the error from h_{t+1} forgotten": ("dh_t = dh[t] + dh_next", "dh_t = dh[t] + 0 * dh_next"),
    "weights: h_t where h_{t-1} belongs": ("dW_h = dz[B:].T @ trace.h[:-1]", "dW_h = dz[B:].T @ trace.h[1:]"),
}


@pytest.mark.parametrize("name", FAST_MUTANTS)
def test_every_wrong_line_of_the_fast_backward_is_rejected(monkeypatch, name):
    problem_args = problem(T=4, batch=2, D=3, H=2, seed=51)
    assert lstm_check(*problem_args).passed and torch_difference(*problem_args) <= 1e-10
    old, new = FAST_MUTANTS[name]
    source = inspect.getsource(bw._backward)
    assert source.count(old) == 1, f"the line to alter is not in _backward: {old}"
    namespace = dict(vars(bw))
    exec(compile(source.replace(old, new), "<mutant>", "exec"), namespace)
    monkeypatch.setattr(bw, "_backward", namespace["_backward"])
    result = lstm_check(*problem_args)
    assert not result.passed and result.max_relative > 1e-3, f"the gradient check missed: {name}\n{result}"
    assert torch_difference(*problem_args) > 1e-3, f"the PyTorch comparison missed: {name}"


def test_the_error_signal_is_the_gradient_of_the_states():
    """error_signal's ∂L/∂c_t and ∂L/∂h_t equal the c0 and h0 gradients of the sequence restarted after step t."""
    from lstm_book.backward import error_signal

    xs, params, h0, c0, dh = problem(T=5, batch=2, seed=12)
    trace = lstm_forward(xs, params, h0, c0)
    errors = error_signal(xs, params, trace, dh, h0, c0)
    assert errors.h.shape == errors.c.shape == dh.shape
    for t in range(4):
        tail = lstm_backward(xs[t + 1:], params, lstm_forward(xs[t + 1:], params, trace.h[t], trace.c[t]), dh[t + 1:],
                             trace.h[t], trace.c[t])
        assert np.allclose(errors.h[t], tail.h0 + dh[t], rtol=1e-11, atol=1e-14)
        dc_through_h = hidden_state_backward(errors.h[t], trace.c[t], trace.o[t])[0]
        assert np.allclose(errors.c[t], tail.c0 + dc_through_h, rtol=1e-11, atol=1e-14)
    assert np.allclose(errors.h[-1], dh[-1])


def test_gradient_check_in_float32_evaluates_the_loss_in_float32():
    """dtype=np.float32 perturbs the inputs and calls the loss in float32 (exercise 8.3): rounding then swamps a
    correct gradient that float64 passes; any other dtype is refused."""
    seen = set()

    def loss(w):
        seen.add(w.dtype)
        return float(np.sum(np.tanh(w) ** 2 * 3.0))

    w = np.linspace(-1.0, 1.0, 7)
    grad = {"w": 6.0 * np.tanh(w) * (1 - np.tanh(w) ** 2)}
    assert gradient_check(loss, {"w": w}, grad, eps=1e-5).max_relative < 1e-8 and seen == {np.dtype(np.float64)}
    seen.clear()
    single = gradient_check(loss, {"w": w}, grad, eps=1e-5, dtype=np.float32)
    assert seen == {np.dtype(np.float32)} and not single.passed and single.max_relative > 1e-3
    with pytest.raises(LSTMInputError, match="argument 'dtype' should be np.float64 or np.float32"):
        gradient_check(loss, {"w": w}, grad, dtype=np.int32)
