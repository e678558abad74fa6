"""The fast cell (lstm_book.fast): the whole cell as one matrix product, against the readable six-function step
and against PyTorch's nn.LSTM (a test-only dependency, pinned in requirements-test.txt)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import lstm_book.fast
from lstm_book import LSTMInputError, LSTMParams, init_params, lstm_forward, lstm_step, running_example, running_example_params
from lstm_book.fast import stack_params, unstack


def random_params(D, H, seed, scale=2.0):
    """Parameters with weights of size about `scale`/√H and nonzero biases everywhere, so no term can hide."""
    rng = np.random.default_rng(seed)
    p = init_params(D, H, seed=seed)
    return p.replace(**{k: v * scale for k, v in p.as_dict().items() if k.startswith("W")},
                     **{f"b_{g}": rng.normal(0, 1, H) for g in "ijfo"})


def steps_one_by_one(xs, params, h0, c0):
    """The readable reference: lstm_step, one step at a time."""
    h, c, out = h0, c0, []
    for x_t in xs:
        step = lstm_step(x_t, h, c, params)
        h, c = step.h, step.c
        out.append(step)
    return [np.stack([getattr(s, name) for s in out]) for name in "ijfoch"]


def sequence(T, D, H, batch, seed, spread=1.0):
    """Random inputs (T, [B,] D) of size about `spread`, and random initial states h0 in (-1, 1), c0 of size ~2."""
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    return rng.normal(0, spread, (T,) + lead + (D,)), rng.uniform(-1, 1, lead + (H,)), rng.normal(0, 2, lead + (H,))


@pytest.mark.parametrize("batch", [None, 3])
def test_fast_cell_equals_the_six_function_step_to_1e_12(batch):
    D, H, T = 3, 5, 12
    params = random_params(D, H, seed=4)
    xs, h0, c0 = sequence(T, D, H, batch, seed=5)
    lead = () if batch is None else (batch,)
    trace = lstm_forward(xs, params, h0, c0)
    for name, reference in zip("ijfoch", steps_one_by_one(xs, params, h0, c0)):
        got = getattr(trace, name)
        assert got.shape == reference.shape == (T,) + lead + (H,)
        assert np.max(np.abs(got - reference)) <= 1e-12, name


@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)),
       st.integers(0, 10**6))
def test_fast_cell_equals_the_step_for_any_sizes(T, D, H, batch, seed):
    params = random_params(D, H, seed, scale=3.0)
    xs, h0, c0 = sequence(T, D, H, batch, seed, spread=2.0)
    trace = lstm_forward(xs, params, h0, c0)
    for name, reference in zip("ijfoch", steps_one_by_one(xs, params, h0, c0)):
        assert np.max(np.abs(getattr(trace, name) - reference)) <= 1e-12


def test_stacking_order_is_the_books_i_j_f_o():
    params = random_params(2, 3, seed=1)
    W_x, W_h, b = stack_params(params)
    assert W_x.shape == (12, 2) and W_h.shape == (12, 3) and b.shape == (12,)
    assert np.array_equal(W_x[0:3], params.W_xi) and np.array_equal(W_x[3:6], params.W_xj)
    assert np.array_equal(W_h[6:9], params.W_hf) and np.array_equal(b[9:12], params.b_o)
    assert {k: v.tolist() for k, v in unstack(W_h, "W_h").items()} == {
        k: v.tolist() for k, v in params.as_dict().items() if k.startswith("W_h")}
    assert list(unstack(np.arange(8.0).reshape(2, 4) , "z")) == ["i", "j", "f", "o"]


def test_the_running_example_is_unchanged():
    """The fast cell gives the numbers Part I derived by hand: c_5 = tanh(2)·σ(5) after the pulse."""
    trace = lstm_forward(running_example().x, running_example_params())
    assert abs(trace.c[5 - 1, 0] - np.tanh(2.0) / (1 + np.exp(-5.0))) < 1e-15   # c_5: step k is index k - 1
    assert trace.c[:5 - 1].max() == 0.0  # nothing is written before the pulse: tanh(0) = 0 exactly


def test_float32_is_kept_end_to_end_and_close_to_float64():
    p64 = random_params(3, 4, seed=2)
    p32 = LSTMParams(**{k: v.astype(np.float32) for k, v in p64.as_dict().items()})
    xs = np.random.default_rng(3).normal(size=(20, 2, 3))
    t32 = lstm_forward(xs.astype(np.float32), p32)
    t64 = lstm_forward(xs, p64)
    assert all(a.dtype == np.float32 for a in t32)
    assert np.max(np.abs(t32.h - t64.h)) < 1e-5
    # mixing float32 inputs with float64 parameters computes in float64
    assert lstm_forward(xs.astype(np.float32), p64).h.dtype == np.float64


def test_saturation_gives_no_warning_and_no_nan():
    params = random_params(2, 3, seed=9, scale=500.0)
    with np.errstate(all="raise"):
        trace = lstm_forward(np.random.default_rng(0).normal(0, 50, (30, 2)), params)
    assert np.all(np.isfinite(trace.c)) and np.all((trace.f >= 0) & (trace.f <= 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"xs": np.zeros((4, 3))}, r"^lstm_forward: argument 'xs' should have shape \(T, D=2\) or \(T, B, D=2\), but got shape \(4, 3\)"),
    ({"xs": np.zeros((0, 2))}, r"^lstm_forward: argument 'xs' is an empty sequence"),
    ({"xs": np.zeros((4, 2)), "h0": np.zeros((1, 3))}, r"^lstm_forward: argument 'h0' should have shape \(H=3,\), unbatched"),
    ({"xs": np.full((4, 2), np.nan)}, r"^lstm_forward: argument 'xs' should be finite"),
    ({"xs": np.zeros((4, 2), np.float16)}, r"^lstm_forward: argument 'xs' should be float64 or float32"),
    ({"xs": np.zeros((4, 2)), "params": {"W_xi": 1}}, r"^lstm_forward: argument 'params' should be an LSTMParams"),
])
def test_bad_input_is_refused_with_the_callers_names(kwargs, message):
    args = {"params": init_params(2, 3), **kwargs}
    with pytest.raises(LSTMInputError, match=message):
        lstm_forward(**args)


def to_torch_lstm(params: LSTMParams) -> torch.nn.LSTM:
    """nn.LSTM (float64) holding the book's weights: torch's gate order i, f, g, o is the book's j, f, i, o;
    the book's bias goes to bias_ih, bias_hh is zero."""
    lstm = torch.nn.LSTM(params.input_size, params.hidden_size, dtype=torch.float64)
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_x{}"), ("weight_hh_l0", "W_h{}"), ("bias_ih_l0", "b_{}")):
            getattr(lstm, name).copy_(torch.from_numpy(np.concatenate([getattr(params, key.format(g)) for g in "jfio"])))
        lstm.bias_hh_l0.zero_()
    return lstm


@pytest.mark.parametrize("batch", [None, 4])
def test_forward_equals_pytorch(batch):
    D, H, T = 3, 2, 7
    params = random_params(D, H, seed=11)
    xs, h0, c0 = sequence(T, D, H, batch, seed=12)
    trace = lstm_forward(xs, params, h0, c0)
    out, (h_n, c_n) = to_torch_lstm(params)(torch.from_numpy(xs), (torch.from_numpy(h0[None]), torch.from_numpy(c0[None])))
    assert np.max(np.abs(out.detach().numpy() - trace.h)) < 1e-13
    assert np.max(np.abs(c_n.detach().numpy()[0] - trace.c[-1])) < 1e-13


def test_pytorch_parity_rejects_swapped_i_and_j():
    """The parity test can fail: the book's i and j mapped the wrong way round differ at order 1."""
    params = random_params(2, 3, seed=13)
    swapped = params.replace(W_xi=params.W_xj, W_hi=params.W_hj, b_i=params.b_j,
                             W_xj=params.W_xi, W_hj=params.W_hi, b_j=params.b_i)
    xs = np.random.default_rng(0).normal(size=(5, 2))
    out, _ = to_torch_lstm(swapped)(torch.from_numpy(xs))
    assert np.max(np.abs(out.detach().numpy() - lstm_forward(xs, params).h)) > 1e-2


def test_a_mutated_fast_cell_is_caught_by_the_step_comparison(monkeypatch):
    """The 1e-12 comparison with lstm_step can fail: a fast cell that forgets to halve the σ rows is caught."""
    import inspect

    source = inspect.getsource(lstm_book.fast._halved)
    assert source.count("half[len(b) // 4:] = 0.5") == 1
    namespace = dict(vars(lstm_book.fast))
    exec(compile(source.replace("half[len(b) // 4:] = 0.5", "half[len(b) // 4:] = 1.0"), "<mutant>", "exec"), namespace)
    monkeypatch.setattr(lstm_book.fast, "_halved", namespace["_halved"])
    params = random_params(2, 3, seed=1)
    xs = np.random.default_rng(0).normal(size=(4, 2))
    reference = steps_one_by_one(xs, params, np.zeros(3), np.zeros(3))
    assert np.max(np.abs(lstm_forward(xs, params).h - reference[-1])) > 1e-3


def test_overflow_is_an_error_naming_the_argument_never_a_warning():
    import warnings

    from lstm_book import scalar_params
    from lstm_book.backward import lstm_backward

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LSTMInputError, match=r"^lstm_forward: the computation overflowed .* argument 'xs'"):
            lstm_forward(np.array([[1e300], [-1e300]]), scalar_params(w_xi=1e300, w_hi=1e300))
        # o ≈ 1, f ≈ 1, c = 0: the memory's error adds up, 1.7e308 + 1.7e308 overflows
        params = scalar_params(b_o=20.0, b_f=20.0)
        xs = np.zeros((3, 1))
        with pytest.raises(LSTMInputError, match=r"^lstm_backward: the computation overflowed .* argument 'dh'"):
            lstm_backward(xs, params, lstm_forward(xs, params), np.full((3, 1), 1.7e308))
