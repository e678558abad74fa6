"""Chapter 14's model: the plain RNN's language model (ids, loss and gradients against PyTorch and finite
differences) and `input_gradients`, the gradient of one prediction with respect to every earlier input and its
memory path (against PyTorch's autograd, with and without the memory-only cut, and finite differences)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import lstm_book.lookback
from lstm_book import LSTMInputError
from lstm_book.charlm import LAYOUTS, charlm_forward, charlm_loss, evaluate_bits, init_charlm
from lstm_book.gradients import gradient_check
from lstm_book.lookback import input_gradients
from lstm_book.params import Params
from lstm_book.rnn import RNNParams, rnn_forward

V, H, T, B = 6, 4, 7, 3


def random_lm(cell, seed=1):
    params = {k: v.astype(np.float64) for k, v in init_charlm(V, H, seed, cell).items()}
    rng = np.random.default_rng(seed)
    return Params({k: v + rng.normal(0, 0.4, v.shape) for k, v in params.items()}, LAYOUTS[cell])


def data(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, V, (T, B)), rng.integers(0, V, B), rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.5, (B, H)))


def torch_log_p(params, inputs, targets, h0, c0, memory_only=False, no_memory=False):
    """ln p_T[target] written out in torch with the book's equations; memory_only cuts every path through a hidden
    state (the gates read h_{t-1} detached, and h_T's output gate is detached); no_memory cuts every step along the
    memory (c_t reads c_{t-1} detached). Returns the gradient wrt x (T, B, V)."""
    P = {k: torch.from_numpy(np.array(v)) for k, v in params.items()}
    x = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).double().requires_grad_()
    h, c = torch.from_numpy(h0), torch.from_numpy(c0)
    cut = (lambda a: a.detach()) if memory_only else (lambda a: a)
    for t in range(T):
        if "W_hh" in P:
            h = torch.tanh(x[t] @ P["W_xh"].T + h @ P["W_hh"].T + P["b_h"])
            continue
        hr = cut(h)
        z = {g: x[t] @ P[f"W_x{g}"].T + hr @ P[f"W_h{g}"].T + P[f"b_{g}"] for g in "ijfo"}
        i, j, f, o = torch.tanh(z["i"]), torch.sigmoid(z["j"]), torch.sigmoid(z["f"]), torch.sigmoid(z["o"])
        c = (c.detach() if no_memory else c) * f + i * j
        h = torch.tanh(c) * (cut(o) if t == T - 1 else o)
    log_p = torch.log_softmax(h @ P["W_y"].T + P["b_y"], -1)[torch.arange(B), torch.from_numpy(targets)]
    log_p.sum().backward()
    return x.grad.numpy()


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_input_gradients_equal_pytorch_and_the_memory_path_is_the_cut_graph(cell):
    params = random_lm(cell)
    inputs, targets, h0, c0 = data()
    grads = input_gradients(params, inputs, targets, h0, c0)
    assert grads.total.shape == grads.memory.shape == (T, B, V)
    assert np.abs(grads.total - torch_log_p(params, inputs, targets, h0, c0)).max() < 1e-12
    if cell == "rnn":
        assert not grads.memory.any() and np.array_equal(grads.no_memory, grads.total)
        return
    memory = torch_log_p(params, inputs, targets, h0, c0, memory_only=True)
    assert np.abs(grads.memory - memory).max() < 1e-12
    no_memory = torch_log_p(params, inputs, targets, h0, c0, no_memory=True)
    assert np.abs(grads.no_memory - no_memory).max() < 1e-12
    assert np.abs(grads.no_memory[-1] - grads.total[-1]).max() < 1e-12            # d = 0: no step back to take
    assert np.abs(grads.total[-2] - grads.memory[-2] - grads.no_memory[-2]).max() < 1e-12   # d = 1: one or other
    mixed = grads.total - grads.memory - grads.no_memory
    # the comparison can fail: cutting only W_h (forgetting that o_T is not on the memory) is caught at d = 0
    only_w_h = {k: np.zeros_like(v) if k.startswith("W_h") else v for k, v in params.items()}
    xs, trace = np.eye(V)[inputs], charlm_forward(params, inputs, h0, c0)[1]
    dh = np.zeros_like(trace.h)
    dh[-1] = (np.eye(V)[targets] - torch.softmax(torch.from_numpy(trace.h[-1] @ params["W_y"].T + params["b_y"]),
                                                 -1).numpy()) @ params["W_y"]
    wrong = lstm_book.lookback._backward(xs, only_w_h, trace, dh, h0, c0).xs
    assert np.abs(wrong[:-1] - memory[:-1]).max() < 1e-12 and np.abs(wrong[-1] - memory[-1]).max() > 1e-3
    for part in (grads.memory, grads.total - grads.memory, grads.no_memory, mixed[:-2]):
        assert np.abs(part).max() > 1e-4                                          # every path carries something


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_input_gradients_pass_central_differences_and_a_wrong_one_fails(cell, monkeypatch):
    params = random_lm(cell, seed=2)
    inputs, targets, h0, c0 = data(seed=3)
    x = np.eye(V)[inputs]

    def log_p(x):
        if cell == "rnn":
            hs = rnn_forward(x, RNNParams(**{k: params[k] for k in RNNParams.NAMES}), h0)
        else:
            from lstm_book import LSTMParams, lstm_forward
            hs = lstm_forward(x, LSTMParams(**{k: params[k] for k in LSTMParams.NAMES}), h0, c0).h
        y = hs[-1] @ params["W_y"].T + params["b_y"]
        y = y - y.max(-1, keepdims=True)
        return float((y[np.arange(B), targets] - np.log(np.exp(y).sum(-1))).sum())

    grads = input_gradients(params, inputs, targets, h0, c0)
    assert gradient_check(lambda x: log_p(x), {"x": x}, {"x": grads.total}).passed
    real = lstm_book.lookback._softmax
    monkeypatch.setattr("lstm_book.lookback._softmax", lambda y, tau: 0.5 * real(y, tau))   # a wrong ∂ ln p / ∂ y
    wrong = input_gradients(params, inputs, targets, h0, c0)
    assert not gradient_check(lambda x: log_p(x), {"x": x}, {"x": wrong.total}).passed


def test_input_gradients_refuse_bad_targets():
    params = random_lm("lstm")
    inputs, targets, h0, c0 = data()
    with pytest.raises(LSTMInputError, match="'targets'"):
        input_gradients(params, inputs, targets[:2], h0, c0)
    with pytest.raises(LSTMInputError, match="'targets'"):
        input_gradients(params, inputs, targets + V, h0, c0)


# ------------------------------------------------------------------ the plain RNN as a language model

def test_the_rnn_language_model_reads_ids_as_one_hot_and_its_loss_and_gradients_equal_pytorch():
    params = random_lm("rnn")
    rng = np.random.default_rng(4)
    inputs, targets, h0 = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B)), rng.normal(0, 0.5, (B, H))
    logits, trace = charlm_forward(params, inputs, h0)
    hs = rnn_forward(np.eye(V)[inputs], RNNParams(**{k: params[k] for k in RNNParams.NAMES}), h0)
    assert np.abs(trace.h - hs).max() < 1e-14 and not trace.c.any()
    result = charlm_loss(params, inputs, targets, h0)
    P = {k: torch.from_numpy(np.array(v)).requires_grad_() for k, v in params.items()}
    x, h, ys = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).double(), torch.from_numpy(h0), []
    for t in range(T):
        h = torch.tanh(x[t] @ P["W_xh"].T + h @ P["W_hh"].T + P["b_h"])
        ys.append(h @ P["W_y"].T + P["b_y"])
    loss = torch.nn.functional.cross_entropy(torch.stack(ys).reshape(-1, V), torch.from_numpy(targets).reshape(-1))
    loss.backward()
    assert abs(result.bits * math.log(2) - loss.item()) < 1e-12
    assert set(result.grads) == set(params)
    assert max(np.abs(result.grads[k] - P[k].grad.numpy()).max() for k in params) < 1e-12

    def nats(**arrays):
        return charlm_loss(Params(arrays, LAYOUTS["rnn"]), inputs, targets, h0).bits * math.log(2)

    assert gradient_check(nats, dict(params), result.grads).passed
    assert evaluate_bits(params, inputs, targets, seq_len=3) == pytest.approx(
        evaluate_bits(params, inputs, targets, seq_len=T), abs=1e-12)        # the carried state, chunk to chunk


def test_the_rnn_language_model_samples_and_trains_below_the_bigram_on_a_small_text():
    from lstm_book.charlm import sample, train_charlm
    from lstm_book.text import Vocabulary, build_vocabulary, count_model, count_model_bits, streams
    text = "def f(x):\n    return x + 1\n\n" * 40
    vocab = build_vocabulary(text, 1)
    ids = vocab.encode(text)
    run = train_charlm(ids, ids, vocab.size, hidden_size=16, batch_size=4, seq_len=20, updates=150,
                       learning_rate=1e-2, eval_every=50, progress=False, checkpoints=[150], cell="rnn")
    inputs, targets = streams(ids, 16)
    bigram = count_model_bits(count_model(ids, vocab.size, 2), inputs, targets)
    assert run.curve[-1][3] < 0.5 * bigram < run.curve[0][3] and set(run.params) == set(LAYOUTS["rnn"])
    written = sample(run.params, vocab, 40, temperature=0.5, seed=1)
    assert len(written) == 40 and written == sample(run.params, vocab, 40, temperature=0.5, seed=1)
    assert isinstance(vocab, Vocabulary) and "return" in sample(run.params, vocab, 200, temperature=0.3, seed=2)


def test_init_charlm_refuses_an_unknown_cell():
    with pytest.raises(LSTMInputError, match="'cell'"):
        init_charlm(5, 3, 0, "gru")
