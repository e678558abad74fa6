"""Part IV's model (chapter 12): the corpus, the baselines, the language model against one-hot inputs, PyTorch and
finite differences, truncated BPTT with carried state, sampling, and the committed run reproduced by its command."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import lstm_book.backward
from lstm_book import LSTMInputError, LSTMParams, lstm_backward, lstm_forward
from lstm_book.charlm import (LAYOUT, charlm_forward, charlm_loss, evaluate_bits, init_charlm, sample, softmax,
                              train_charlm)
from lstm_book.gradients import gradient_check
from lstm_book.params import Params
from lstm_book.text import RARE, Vocabulary, build_vocabulary, count_model, count_model_bits, load_corpus, streams
from lstm_book.teaching.charlm_training import EARLY, RECIPE, RNN_KEEP, RNN_RUN_DIR, RUN_DIR, load_run
from test_fast import to_torch_lstm

ROOT = Path(__file__).resolve().parents[1]


def random_lm(V=7, H=5, seed=1, dtype=np.float64):
    params = {k: v.astype(dtype) for k, v in init_charlm(V, H, seed).items()}
    rng = np.random.default_rng(seed)
    return Params({k: v + rng.normal(0, 0.3, v.shape).astype(dtype) for k, v in params.items()}, LAYOUT)


def data(V=7, H=5, T=6, B=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B)), rng.normal(0, 0.5, (B, H)),
            rng.normal(0, 0.5, (B, H)))


def lstm_part(params) -> LSTMParams:
    return LSTMParams(**{k: params[k] for k in LSTMParams.NAMES})


# ------------------------------------------------------------------ the corpus and the baselines

def test_the_corpus_is_the_committed_fixed_copy_with_its_licence():
    corpus = load_corpus()
    assert len(corpus.text) == 1_045_597 and corpus.text.isascii()
    assert corpus.vocabulary.size == 93 and corpus.vocabulary.chars[0] == RARE
    assert len(corpus.train) + len(corpus.validation) + len(corpus.test) == len(corpus.text)
    assert 0.89 < len(corpus.train) / len(corpus.text) < 0.91 and 0.04 < len(corpus.test) / len(corpus.text) < 0.06
    assert corpus.vocabulary.decode(corpus.train[:40]) == corpus.text[:40]
    licence = (ROOT / "lstm_book/data/LICENSE-PSF.txt").read_text()
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in licence


def test_rare_characters_are_one_symbol_and_decode_round_trips():
    vocab = build_vocabulary("aaab\nb\n", min_count=2)
    assert vocab.chars == RARE + "\nab"
    assert list(vocab.encode("abz\n")) == [2, 3, 0, 1]
    assert vocab.decode(vocab.encode("ab\nzz")) == "ab\n" + RARE * 2
    with pytest.raises(LSTMInputError, match="'chars'"):
        Vocabulary("ab")


def test_streams_read_side_by_side_with_the_next_character_as_target():
    inputs, targets = streams(np.arange(11), 2)       # L = 5: streams 0..5 and 5..10
    assert inputs.T.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert targets.T.tolist() == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]


def test_counting_baselines_by_hand():
    ids = np.array([1, 2, 1, 2, 2])                   # V = 3
    assert np.allclose(count_model(ids, 3, 0), 1 / 3)
    assert np.allclose(count_model(ids, 3, 1), np.array([1, 3, 4]) / 8)           # counts 0, 2, 3, plus one each
    bigram = count_model(ids, 3, 2)                   # pairs 1→2, 2→1, 1→2, 2→2
    assert np.allclose(bigram[1], np.array([1, 1, 3]) / 5) and np.allclose(bigram[2], np.array([1, 2, 2]) / 5)
    assert np.allclose(bigram[0], 1 / 3)
    bits = count_model_bits(bigram, np.array([1, 2]), np.array([2, 2]))
    assert bits == pytest.approx(-(math.log2(3 / 5) + math.log2(2 / 5)) / 2)


# ------------------------------------------------------------------ the model

def test_ids_in_the_fast_cell_are_the_one_hot_product():
    """Reading ids (a row lookup of W_x^T) gives what lstm_forward and lstm_backward give on one-hot inputs."""
    params = random_lm()
    inputs, _, h0, c0 = data()
    one_hot = np.eye(7)[inputs]
    logits, trace = charlm_forward(params, inputs, h0, c0)
    reference = lstm_forward(one_hot, lstm_part(params), h0, c0)
    assert max(np.abs(a - b).max() for a, b in zip(trace, reference)) < 1e-14
    dh = np.random.default_rng(3).normal(size=trace.h.shape)
    mine = lstm_book.backward._backward(inputs, dict(params), trace, dh, h0, c0)
    theirs = lstm_backward(one_hot, lstm_part(params), reference, dh, h0, c0)
    assert max(np.abs(getattr(mine, k) - getattr(theirs, k)).max() for k in LSTMParams.NAMES) < 1e-13
    assert logits.shape == (6, 3, 7)


def torch_loss(params, inputs, targets, h0, c0):
    """nn.LSTM (torch's gates i, f, g, o = the book's j, f, i, o) with a Linear readout and cross_entropy."""
    V, H = params.sizes["D"], params.sizes["H"]
    lstm = to_torch_lstm(lstm_part(params))
    linear = torch.nn.Linear(H, V, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.array(params["W_y"])))
        linear.bias.copy_(torch.from_numpy(np.array(params["b_y"])))
    x = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).double()
    out, _ = lstm(x, (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    loss = torch.nn.functional.cross_entropy(linear(out).reshape(-1, V), torch.from_numpy(targets).reshape(-1))
    loss.backward()
    H4 = {g: slice(k * H, (k + 1) * H) for k, g in enumerate("jfio")}
    grads = {"W_y": linear.weight.grad.numpy(), "b_y": linear.bias.grad.numpy()}
    for g in "ijfo":
        grads[f"W_x{g}"] = lstm.weight_ih_l0.grad[H4[g]].numpy()
        grads[f"W_h{g}"] = lstm.weight_hh_l0.grad[H4[g]].numpy()
        grads[f"b_{g}"] = lstm.bias_ih_l0.grad[H4[g]].numpy()
    return loss.item(), grads


def test_loss_and_every_gradient_equal_pytorch():
    params = random_lm()
    inputs, targets, h0, c0 = data()
    result = charlm_loss(params, inputs, targets, h0, c0)
    nats, grads = torch_loss(params, inputs, targets, h0, c0)
    assert abs(result.bits * math.log(2) - nats) < 1e-12
    assert max(np.abs(result.grads[k] - grads[k]).max() for k in params) < 1e-12


def test_gradients_pass_the_finite_difference_check_and_a_wrong_lookup_backward_fails(monkeypatch):
    params = random_lm(V=5, H=3)
    inputs, targets, h0, c0 = data(V=5, H=3, T=4, B=2)
    result = charlm_loss(params, inputs, targets, h0, c0)

    def loss(**arrays):
        return charlm_loss(Params(arrays, LAYOUT), inputs, targets, h0, c0).bits * math.log(2)

    assert gradient_check(loss, dict(params), result.grads).passed
    # the lookup's backward sending each step's error to the wrong character (the next id) must be caught
    real = lstm_book.backward._backward
    monkeypatch.setattr("lstm_book.charlm._backward",
                        lambda xs, *a: real((xs + 1) % 5, *a))
    wrong = charlm_loss(params, inputs, targets, h0, c0)
    assert not gradient_check(loss, dict(params), {"W_xi": wrong.grads["W_xi"]}).passed
    assert np.abs(wrong.grads["W_xi"] - torch_loss(params, inputs, targets, h0, c0)[1]["W_xi"]).max() > 1e-3


def test_carried_state_makes_chunked_evaluation_exact():
    """Truncated BPTT's forward half: chunks of 3 with the state carried give the bits of one long pass; starting
    every chunk from zeros instead does not."""
    params = random_lm()
    ids = np.random.default_rng(5).integers(0, 7, 200)
    inputs, targets = streams(ids, 4)
    whole = evaluate_bits(params, inputs, targets, seq_len=len(inputs))
    assert evaluate_bits(params, inputs, targets, seq_len=3) == pytest.approx(whole, abs=1e-12)
    zeros = np.mean([charlm_loss(params, inputs[s:s + 3], targets[s:s + 3]).bits * targets[s:s + 3].size
                     for s in range(0, len(inputs), 3)]) * len(range(0, len(inputs), 3)) / targets.size
    assert abs(zeros - whole) > 1e-4


def test_softmax_with_a_temperature():
    logits = np.array([[2.0, 1.0, -1.0]])
    for tau in (0.25, 1.0, 3.0):
        assert np.allclose(softmax(logits, tau), torch.softmax(torch.from_numpy(logits) / tau, -1).numpy())
    assert softmax(logits, 0.001)[0, 0] == pytest.approx(1.0)
    assert np.ptp(softmax(logits, 1000.0)) < 0.01
    assert np.all(np.isfinite(softmax(np.array([1e4, 0.0]), 0.01)))


def test_sampling_is_seeded_and_greedy_at_low_temperature():
    params = random_lm(V=4, H=3, dtype=np.float32)
    vocab = Vocabulary(RARE + "ab\n")
    one = sample(params, vocab, 30, temperature=1.0, seed=3)
    assert one == sample(params, vocab, 30, temperature=1.0, seed=3) and len(one) == 30
    assert one != sample(params, vocab, 30, temperature=1.0, seed=4)
    greedy = sample(params, vocab, 10, temperature=0.001, seed=0)
    k, h, c, chars = vocab.encode("\n")[0], np.zeros((1, 3), np.float32), np.zeros((1, 3), np.float32), ""
    for _ in range(10):
        logits, trace = charlm_forward(params, np.array([[k]]), h, c)
        h, c, k = trace.h[0], trace.c[0], int(np.argmax(logits[0, 0]))
        chars += vocab.chars[k]
    assert greedy == chars


def test_training_lowers_the_loss_below_the_bigram_on_a_small_text():
    text = "def f(x):\n    return x + 1\n\n" * 40
    vocab = build_vocabulary(text, 1)
    ids = vocab.encode(text)
    run = train_charlm(ids, ids, vocab.size, hidden_size=16, batch_size=4, seq_len=20, updates=150,
                       learning_rate=1e-2, eval_every=50, progress=False, checkpoints=[0, 150])
    inputs, targets = streams(ids, 16)
    bigram = count_model_bits(count_model(ids, vocab.size, 2), inputs, targets)
    assert run.curve[-1][3] < 0.5 * bigram < run.curve[0][3]
    assert set(run.checkpoints) == {0, 150}


# ------------------------------------------------------------------ the committed run and its command

def test_the_committed_run_is_whole():
    run = load_run()
    record = run["record"]
    assert record["recipe"] == RECIPE and record["curve"][-1]["update"] == RECIPE["updates"]
    assert record["vocabulary"] == load_corpus().vocabulary.chars
    assert run["params"].sizes == {"D": 93, "H": RECIPE["hidden_size"], "K": 93}
    assert sum(f.stat().st_size for f in RUN_DIR.iterdir()) < 1_900_000      # final weights 0.47 MB, checkpoints


def test_the_initial_checkpoint_is_not_stored_but_rebuilt_as_it_was_committed():
    """Update 0 is init_charlm(V, H, seed): checkpoints.npz no longer holds it; load_run makes it again, equal bit
    for bit to the float16 arrays once committed (their SHA-256, recorded when they were removed)."""
    with np.load(RUN_DIR / "checkpoints.npz") as stored:
        assert not [k for k in stored.files if k.startswith("u0/")] and f"u{EARLY[0]}/W_xi" in stored.files

    def digest(params):
        return hashlib.sha256(b"".join(params[k].astype(np.float16).tobytes() for k in LAYOUT)).hexdigest()

    initial = load_run()["checkpoints"][0]
    assert digest(initial) == "1d7b93b473db390ae2400760e19f1da02f8670afa15699784584aee6eb7536b5"
    assert max(float(np.abs(initial[k] - init_charlm(93, RECIPE["hidden_size"], RECIPE["seed"])[k]).max())
               for k in LAYOUT) < 1e-3                                       # float16 rounding only
    assert digest(init_charlm(93, RECIPE["hidden_size"], RECIPE["seed"] + 1)) != digest(initial)   # it can fail


def test_the_command_reproduces_the_committed_early_checkpoint(tmp_path):
    """The first EARLY[0] updates of the recorded recipe, run again by the command, give the committed checkpoint
    (float32; bit for bit on this machine, 1e-6 allowed for another BLAS)."""
    done = subprocess.run([sys.executable, "-m", "lstm_book.teaching.charlm_training", "--updates", str(EARLY[0]),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    fresh = load_run(tmp_path)["checkpoints"][EARLY[0]]
    committed = load_run()["checkpoints"][EARLY[0]]
    assert max(float(np.abs(fresh[k] - committed[k]).max()) for k in committed) < 1e-6
    initial = init_charlm(93, RECIPE["hidden_size"], RECIPE["seed"])
    assert max(float(np.abs(initial[k] - committed[k]).max()) for k in committed) > 1e-3   # it did train
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["curve"][-1]["update"] == EARLY[0]


def test_the_command_reproduces_the_committed_rnn_checkpoint_and_the_rnn_run_is_whole_and_small(tmp_path):
    """Chapter 14's plain RNN: `--cell rnn --updates 20` gives the committed update-20 checkpoint; the committed run
    is the LSTM's recipe with cell "rnn", 5000 updates, its checkpoints RNN_KEEP, and under 0.6 MB."""
    done = subprocess.run([sys.executable, "-m", "lstm_book.teaching.charlm_training", "--cell", "rnn",
                           "--updates", str(EARLY[0]), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    fresh = load_run(tmp_path)["checkpoints"][EARLY[0]]
    run = load_run(RNN_RUN_DIR)
    committed = run["checkpoints"][EARLY[0]]
    assert set(committed) == {"W_xh", "W_hh", "b_h", "W_y", "b_y"}
    assert max(float(np.abs(fresh[k] - committed[k]).max()) for k in committed) < 1e-6
    initial = init_charlm(93, RECIPE["hidden_size"], RECIPE["seed"], "rnn")
    assert max(float(np.abs(initial[k] - committed[k]).max()) for k in committed) > 1e-3   # it did train
    assert run["record"]["recipe"] == {**RECIPE, "cell": "rnn"} and set(run["checkpoints"]) == {0, *RNN_KEEP}   # 0: made again by load_run
    assert run["record"]["curve"][-1]["update"] == RECIPE["updates"]
    assert sum(f.stat().st_size for f in RNN_RUN_DIR.iterdir()) < 600_000


@pytest.mark.parametrize("argv, message", [
    (["--updates", "0"], "--updates: expected an integer"), (["--updates"], "--updates: expected"),
    (["--out", "/no/such/dir"], "--out: expected an existing directory"), (["--fast"], "unknown argument"),
    (["--updates", "3", "--updates", "4"], "expected once"), (["--cell", "gru"], "--cell: expected lstm or rnn")])
def test_a_bad_flag_is_one_line_and_exit_status_2(argv, message, tmp_path):
    done = subprocess.run([sys.executable, "-m", "lstm_book.teaching.charlm_training", *argv], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())
