"""The plain RNN of chapter 9 (lstm_book.rnn): forward by hand, backward against finite differences and
against PyTorch's nn.RNN, bad input; and proof that the checks reject a wrong backward pass."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch

import lstm_book.rnn as rnn_module
from lstm_book import LSTMInputError
from lstm_book.gradients import gradient_check
from lstm_book.rnn import RNNParams, init_rnn_params, rnn_backward, rnn_forward


def problem(T=5, batch=2, D=3, H=2, seed=0):
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    params = RNNParams(rng.normal(0, 1, (H, D)), rng.normal(0, 1, (H, H)), rng.normal(0, 0.5, H))
    return (rng.normal(size=(T,) + lead + (D,)), params, rng.uniform(-0.9, 0.9, lead + (H,)),
            rng.normal(size=(T,) + lead + (H,)))


def rnn_check(xs, params, h0, dh):
    hs = rnn_forward(xs, params, h0)
    grads = rnn_module.rnn_backward(xs, params, hs, dh, h0)  # looked up at call time, so a test can replace it

    def loss(xs, h0, W_xh, W_hh, b_h):
        return float(np.sum(dh * rnn_forward(xs, RNNParams(W_xh, W_hh, b_h), h0)))

    return gradient_check(loss, {"xs": xs, "h0": h0, **params.as_dict()}, grads._asdict(), eps=1e-5)


def torch_difference(xs, params, h0, dh):
    net = torch.nn.RNN(params.input_size, params.hidden_size, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(np.array(params.W_xh)))
        net.weight_hh_l0.copy_(torch.from_numpy(np.array(params.W_hh)))
        net.bias_ih_l0.copy_(torch.from_numpy(np.array(params.b_h)))
        net.bias_hh_l0.zero_()
    X, H0 = torch.tensor(xs, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    out, _ = net(X, H0)
    (out * torch.from_numpy(dh)).sum().backward()
    ours = rnn_module.rnn_backward(xs, params, rnn_forward(xs, params, h0), dh, h0)
    theirs = {"W_xh": net.weight_ih_l0.grad, "W_hh": net.weight_hh_l0.grad, "b_h": net.bias_ih_l0.grad,
              "xs": X.grad, "h0": H0.grad[0]}
    forward = float(np.max(np.abs(out.detach().numpy() - rnn_forward(xs, params, h0))))
    return max([forward] + [float(np.max(np.abs(getattr(ours, k) - v.numpy()))) for k, v in theirs.items()])


def test_forward_by_hand():
    params = RNNParams(np.array([[2.0]]), np.array([[0.5]]), np.array([0.1]))
    hs = rnn_forward(np.array([[1.0], [0.0]]), params)
    h1 = math.tanh(2.0 + 0.1)
    assert np.allclose(hs[:, 0], [h1, math.tanh(0.5 * h1 + 0.1)], rtol=1e-14)


@pytest.mark.parametrize("batch", [None, 3])
def test_backward_passes_the_gradient_check_and_equals_pytorch(batch):
    args = problem(batch=batch)
    result = rnn_check(*args)
    assert result.passed and result.max_relative < 1e-7, str(result)
    assert torch_difference(*args) <= 1e-10


@pytest.mark.parametrize("old, new", [
    ("total[t] * (1 - hs[t] ** 2)", "total[t] * 1"),            # tanh' left out
    ("dh[t] + dh_next", "dh[t] + 0 * dh_next"),                 # the error from h_{t+1} forgotten
    ('dz[t] @ params["W_hh"]', 'dz[t] @ params["W_hh"].T'),     # W_hh not transposed on the way back
], ids=["tanh-prime", "error-from-next-step", "transpose"])
def test_a_wrong_backward_is_rejected(monkeypatch, old, new):
    """The checks can fail: each mutant is rejected by the gradient check and by PyTorch."""
    args = problem(seed=3)
    assert rnn_check(*args).passed and torch_difference(*args) <= 1e-10
    source = inspect.getsource(rnn_module._back_through_time)
    assert source.count(old) == 1
    namespace = dict(vars(rnn_module))
    exec(compile(source.replace(old, new), "<mutant>", "exec"), namespace)
    monkeypatch.setattr(rnn_module, "_back_through_time", namespace["_back_through_time"])
    assert not rnn_check(*args).passed
    assert torch_difference(*args) > 1e-3


def test_the_error_signal_is_what_reaches_each_h():
    """∂L/∂h_t from rnn_error_signal equals the h0-gradient of the sequence restarted at step t."""
    from lstm_book.rnn import rnn_error_signal

    xs, params, h0, dh = problem(T=6, batch=None, seed=4)
    hs = rnn_forward(xs, params, h0)
    errors = rnn_error_signal(xs, params, hs, dh, h0)
    for t in range(1, 6):
        tail = rnn_backward(xs[t:], params, hs[t:], dh[t:], hs[t - 1])
        assert np.allclose(errors[t - 1], tail.h0 + dh[t - 1], rtol=1e-12, atol=1e-15)


def test_float32_is_kept_and_runs_are_deterministic():
    p = init_rnn_params(2, 3, seed=4, dtype=np.float32)
    xs = np.ones((4, 2), np.float32)
    hs = rnn_forward(xs, p)
    g = rnn_backward(xs, p, hs, np.ones_like(hs))
    assert hs.dtype == np.float32 and all(a.dtype == np.float32 for a in g)
    assert np.array_equal(init_rnn_params(2, 3, seed=4).W_hh, init_rnn_params(2, 3, seed=4).W_hh)


@pytest.mark.parametrize("call, message", [
    (lambda p: rnn_forward(np.zeros((3, 4)), p), r"^rnn_forward: argument 'xs' should have shape \(T, D=2\) or \(T, B, D=2\), but got shape \(3, 4\)"),
    (lambda p: rnn_forward(np.zeros((0, 2)), p), r"^rnn_forward: argument 'xs' is empty"),
    (lambda p: rnn_forward(np.zeros((3, 2)), p, h0=np.zeros((1, 3))), r"^rnn_forward: argument 'h0' should have shape \(3,\)"),
    (lambda p: rnn_forward(np.full((3, 2), np.nan), p), r"^rnn_forward: argument 'xs' should be finite"),
    (lambda p: rnn_forward(np.zeros((3, 2)), {"W_xh": 1}), r"^rnn_forward: argument 'params' should be an RNNParams"),
    (lambda p: rnn_backward(np.zeros((3, 2)), p, np.zeros((3, 2)), np.zeros((3, 3))), r"^rnn_backward: argument 'hs' should have shape \(3, 3\)"),
    (lambda p: rnn_backward(np.zeros((3, 2)), p, np.ones((3, 3)) * 0.5, np.zeros((3, 3))), r"^rnn_backward: argument 'hs' does not belong"),
    (lambda p: init_rnn_params(0, 2), r"'input_size' should be a positive integer \(at most 10000\), but got 0"),
    (lambda p: RNNParams(np.zeros((3, 2)), np.zeros((2, 2)), np.zeros(3)), r"^RNNParams: argument 'W_hh' should have shape \(H=3, H=3\)"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(LSTMInputError, match=message):
        call(init_rnn_params(2, 3))
