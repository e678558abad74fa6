"""The variants of chapter 11: every backward pass against finite differences, the book's LSTM against Part II,
the GRU against PyTorch's nn.GRU; each check is shown to reject a deliberately wrong version."""

from __future__ import annotations

import numpy as np
import pytest

import lstm_book.variants as variants
from lstm_book import LSTMInputError, LSTMParams, init_params
from lstm_book.backward import lstm_backward
from lstm_book.gradients import gradient_check
from lstm_book.fast import lstm_forward
from lstm_book.variants import VARIANTS, init_variant, variant_backward, variant_forward

T, B, D, H = 4, 3, 2, 3


def setup(name, seed=0, batched=True):
    rng = np.random.default_rng(seed)
    params = {k: v + rng.normal(0, 0.4, v.shape) for k, v in init_variant(name, D, H, seed=seed).items()}
    shape = (T, B) if batched else (T,)
    xs = rng.normal(size=shape + (D,))
    h0 = rng.normal(0, 0.5, size=shape[1:] + (H,))
    c0 = None if VARIANTS[name].gru else rng.normal(size=shape[1:] + (H,))
    weights = rng.normal(size=shape + (H,))                      # L = Σ weights ⊙ h
    return params, xs, h0, c0, weights


def check(name, batched=True):
    params, xs, h0, c0, weights = setup(name, batched=batched)
    trace = variant_forward(xs, params, name, h0, c0)
    grads = variant_backward(xs, params, name, trace, weights, h0, c0)
    inputs = {**params, "xs": xs, "h0": h0} | ({} if c0 is None else {"c0": c0})

    def loss(xs, h0, c0=None, **p):
        return float(np.sum(variant_forward(xs, p, name, h0, c0).h * weights))

    return gradient_check(loss, inputs, {k: grads[k] for k in inputs}, eps=1e-5)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_backward_matches_finite_differences(name):
    result = check(name)
    assert result.passed, str(result)
    assert result.max_relative < 1e-7


@pytest.mark.parametrize("name", ["lstm", "peepholes", "gru"])
def test_one_sequence_unbatched(name):
    assert check(name, batched=False).passed


def test_the_finite_difference_check_rejects_a_wrong_derivative(monkeypatch):
    # σ in the forward pass changed to σ(1.1 z): the backward pass still uses σ' = σ(1 - σ), now wrong.
    monkeypatch.setattr(variants, "sigmoid", lambda z: 1.0 / (1.0 + np.exp(-1.1 * z)))
    for name in ("lstm", "coupled", "gru"):
        result = check(name)
        assert not result.passed, name


def test_variant_lstm_is_part_two_lstm():
    params, xs, h0, c0, weights = setup("lstm")
    book = LSTMParams(**params)
    ours = variant_forward(xs, params, "lstm", h0, c0)
    theirs = lstm_forward(xs, book, h0, c0)
    assert np.allclose(ours.h, theirs.h, atol=1e-12) and np.allclose(ours.c, theirs.c, atol=1e-12)
    for g in "ijfo":
        assert np.allclose(ours.gates[g], getattr(theirs, g), atol=1e-12)
    ours_g = variant_backward(xs, params, "lstm", ours, weights, h0, c0)
    theirs_g = lstm_backward(xs, book, theirs, weights, h0, c0)._asdict()
    for k in list(params) + ["xs", "h0", "c0"]:
        assert np.allclose(ours_g[k], theirs_g[k], atol=1e-11), k


def test_init_draws_like_init_params():
    ours = init_variant("lstm", 3, 4, seed=5)
    book = init_params(3, 4, seed=5).as_dict()
    assert all(np.array_equal(ours[k], book[k]) for k in book)
    assert np.all(init_variant("forget_bias_0", 3, 4)["b_f"] == 0.0)
    # the GRU's update gate plays the forget gate: its b_z starts at the variant's forget bias, the rest at 0
    gru0, gru1 = init_variant("gru", 3, 4, seed=5), init_variant("gru_bias_1", 3, 4, seed=5)
    assert np.all(gru0["b_z"] == 0.0) and np.all(gru1["b_z"] == 1.0) and np.all(gru1["b_r"] == 0.0)
    assert all(np.array_equal(gru0[k], gru1[k]) for k in gru0 if k != "b_z")


def test_limiting_cases_are_what_the_names_say():
    rng = np.random.default_rng(3)
    xs = rng.normal(size=(6, 2, D))
    for name, gate in (("no_forget", "f"), ("no_input", "j"), ("no_output", "o")):
        trace = variant_forward(xs, init_variant(name, D, H), name)
        assert np.all(trace.gates[gate] == 1.0), name
    coupled = variant_forward(xs, init_variant("coupled", D, H), "coupled")
    assert np.allclose(coupled.gates["j"], 1.0 - coupled.gates["f"])
    no_output = variant_forward(xs, init_variant("no_output", D, H), "no_output")
    assert np.allclose(no_output.h, np.tanh(no_output.c))
    # f = 1 and nothing written: the 1997 cell keeps its memory exactly
    params = init_variant("no_forget", D, H)
    params = params.replace(b_j=np.full(H, -1e3))
    c0 = np.ones((2, H)) * 0.7
    kept = variant_forward(xs, params, "no_forget", None, c0)
    assert np.allclose(kept.c, 0.7)
    # peepholes with p = 0 are the plain LSTM
    peep = init_variant("peepholes", D, H, seed=1)
    plain = {k: v for k, v in peep.items() if not k.startswith("p_")}
    zeroed = {**peep, **{k: np.zeros(H) for k in ("p_j", "p_f", "p_o")}}
    assert np.allclose(variant_forward(xs, zeroed, "peepholes").h, variant_forward(xs, plain, "lstm").h)


def test_gru_against_torch():
    torch = pytest.importorskip("torch")
    params, xs, h0, _, weights = setup("gru")
    gru = torch.nn.GRU(D, H).double()
    with torch.no_grad():   # torch's gate order: r, z, n; our b_n is torch's b_in, and its b_hn is 0
        gru.weight_ih_l0.copy_(torch.tensor(np.concatenate([params["W_xr"], params["W_xz"], params["W_xn"]])))
        gru.weight_hh_l0.copy_(torch.tensor(np.concatenate([params["W_hr"], params["W_hz"], params["W_hn"]])))
        gru.bias_ih_l0.copy_(torch.tensor(np.concatenate([params["b_r"], params["b_z"], params["b_n"]])))
        gru.bias_hh_l0.zero_()
    x = torch.tensor(xs, requires_grad=True)
    h = torch.tensor(h0[None], requires_grad=True)
    out, _ = gru(x, h)
    (out * torch.tensor(weights)).sum().backward()
    trace = variant_forward(xs, params, "gru", h0)
    assert np.allclose(trace.h, out.detach().numpy(), atol=1e-12)
    grads = variant_backward(xs, params, "gru", trace, weights, h0)
    Hs = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    for part, rows in zip("rzn", Hs):
        assert np.allclose(grads[f"W_x{part}"], gru.weight_ih_l0.grad.numpy()[rows], atol=1e-10)
        assert np.allclose(grads[f"W_h{part}"], gru.weight_hh_l0.grad.numpy()[rows], atol=1e-10)
        assert np.allclose(grads[f"b_{part}"], gru.bias_ih_l0.grad.numpy()[rows], atol=1e-10)
    assert np.allclose(grads["xs"], x.grad.numpy(), atol=1e-10)
    assert np.allclose(grads["h0"], h.grad.numpy()[0], atol=1e-10)
    # the same comparison rejects the mapping with the update and reset gates swapped
    swapped = {**params, "W_hz": params["W_hr"], "W_hr": params["W_hz"]}
    assert not np.allclose(variant_forward(xs, swapped, "gru", h0).h, out.detach().numpy(), atol=1e-6)


def test_bad_inputs_name_the_argument():
    params = init_variant("lstm", D, H)
    xs = np.zeros((T, B, D))
    with pytest.raises(LSTMInputError, match="'variant'"):
        variant_forward(xs, params, "lstm2")
    with pytest.raises(LSTMInputError, match="missing \\['b_f'\\]"):
        variant_forward(xs, {k: v for k, v in params.items() if k != "b_f"}, "lstm")
    with pytest.raises(LSTMInputError, match="'xs'.*shape"):
        variant_forward(np.zeros((T, B, D + 1)), params, "lstm")
    with pytest.raises(LSTMInputError, match="'xs' is empty"):
        variant_forward(np.zeros((0, B, D)), params, "lstm")
    with pytest.raises(LSTMInputError, match="'xs' should be finite"):
        variant_forward(np.full((T, B, D), np.nan), params, "lstm")
    with pytest.raises(LSTMInputError, match="'h0'"):
        variant_forward(xs, params, "lstm", h0=np.zeros((B + 1, H)))
    with pytest.raises(LSTMInputError, match="'c0'.*GRU"):
        variant_forward(xs, init_variant("gru", D, H), "gru", c0=np.zeros((B, H)))
    with pytest.raises(LSTMInputError, match="params\\['W_hi'\\]"):
        variant_forward(xs, {**params, "W_hi": np.zeros((H, H + 1))}, "lstm")
    trace = variant_forward(xs, params, "lstm")
    with pytest.raises(LSTMInputError, match="'dh'"):
        variant_backward(xs, params, "lstm", trace, np.zeros((T, B, H + 1)))
    with pytest.raises(LSTMInputError, match="'trace' does not belong"):
        variant_backward(xs[:2], params, "lstm", trace, np.zeros((2, B, H)))
    with pytest.raises(LSTMInputError, match="'hidden_size'"):
        init_variant("gru", 2, 0)
