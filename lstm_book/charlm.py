"""A character-level language model: the book's LSTM reading real text one character at a time (chapter 12).

At step t the network reads character k_t and predicts the next one:

    x_t = one_hot(k_t)                        (V,): the input, a 1 at the character's id
    W_x x_t = column k_t of W_x               so the input half of every part is a lookup (an "embedding"), no product
    h_t, c_t = the cell (lstm_book.fast)      the same six equations, the same fast loop
    y_t = W_y h_t + b_y                       (V,): one score (logit) per character
    p_t = softmax(y_t / τ)                    the next character's probabilities (τ = 1 in training)
    loss = mean of -log2 p_t[k_{t+1}]         bits per character; perplexity = 2 ** bits

Training is truncated backpropagation through time: the text is read as B parallel streams (`lstm_book.text.
streams`) in chunks of T characters; the state (h, c) at the end of one chunk is where the next chunk starts
(carried), but the gradient stops at the chunk's edge. Parameters: one `Params` with the LSTM's twelve arrays
(D = V) and the readout W_y (V, H), b_y (V,), as `lstm_book.train.init_network` makes them, in float32.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .adam import Adam
from .backward import _backward
from .fast import _forward, _halved, _run
from .gradients import _clip_by_global_norm
from .losses import _cross_entropy, readout, readout_backward
from .params import Params, as_params
from .rnn import _rnn_backward, _rnn_forward
from .text import Vocabulary, _ids, streams
from .train import _progress, init_network, network_layout
from .validation import LSTMInputError, as_float_array, check_finite, check_integer, check_number, unchecked

__all__ = ["init_charlm", "charlm_forward", "softmax", "charlm_loss", "LossAndGradients", "evaluate_bits",
           "mulberry32", "sample", "train_charlm", "CharLMRun", "RNNTrace"]

LAYOUT = network_layout("lstm")        # the twelve arrays W_xi … b_o (D = V), then W_y "K H" and b_y "K" (K = V)
#: The plain RNN's language model (chapter 14): W_xh, W_hh, b_h, then the same readout. It has no c_t: its "trace"
#: is an `RNNTrace` whose c is all zeros, so that one loop carries either model's state from chunk to chunk.
LAYOUTS = {"lstm": LAYOUT, "rnn": network_layout("rnn")}


class RNNTrace(NamedTuple):
    """The plain RNN's states over a chunk, h (T, B, H), and c: zeros of that shape (a plain RNN has no memory)."""

    h: np.ndarray
    c: np.ndarray


def init_charlm(vocab_size: int, hidden_size: int, seed: int = 0, cell: str = "lstm") -> Params:
    """Random float32 parameters of a language model over `vocab_size` characters with `hidden_size` units:
    `init_network(cell, V, H, V, seed=seed)` (weights uniform in ±1/√H, biases 0, b_f = 1). cell: "lstm", or
    "rnn" for the plain RNN of chapter 9 (chapter 14 compares the two)."""
    V = check_integer(vocab_size, func="init_charlm", arg="vocab_size", low=2, high=10_000)
    H = check_integer(hidden_size, func="init_charlm", arg="hidden_size", low=1, high=10_000)
    cell = _cell(cell, "init_charlm")
    params = init_network(cell, V, H, V, seed=check_integer(seed, func="init_charlm", arg="seed"))
    return Params({k: v.astype(np.float32) for k, v in params.items()}, LAYOUTS[cell], func="init_charlm")


def charlm_forward(params, inputs, h0=None, c0=None):
    """The cell over character ids, then the readout.

    params: from `init_charlm`;  inputs: (T, B) ids in [0, V);  h0, c0: (B, H), zeros if None.
    Returns (logits (T, B, V), the cell's `Trace`, fields (T, B, H)).
    """
    params, inputs, h0, c0 = _check("charlm_forward", params, inputs, h0, c0)
    return _charlm_forward(params, inputs, h0, c0)


def _charlm_forward(params, inputs, h0, c0):
    trace = _states(params, inputs, h0, c0)
    return unchecked(readout)(trace.h, params["W_y"], params["b_y"]), trace


def _states(params, inputs, h0, c0):
    """The cell's states over the chunk: the LSTM's `Trace`, or the plain RNN's `RNNTrace`."""
    if "W_hh" in params:                                          # the plain RNN (chapter 14): no memory c_t
        hs = _rnn_forward(inputs, params, h0)
        return RNNTrace(hs, np.zeros_like(hs))
    return _forward(inputs, params, h0, c0)                       # ids: the input half is a lookup


def softmax(logits, temperature: float = 1.0) -> np.ndarray:
    """p = softmax(logits / τ) over the last axis: exp(y_k / τ) / Σ_m exp(y_m / τ), computed without overflow.

    τ = 1: the model's own probabilities; τ < 1 sharpens them toward the largest, τ > 1 flattens them toward uniform.
    """
    logits = as_float_array(logits, func="softmax", arg="logits")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise LSTMInputError(f"softmax: argument 'logits' should have at least one axis of length >= 1, but got "
                             f"shape {logits.shape}")
    check_finite(logits, func="softmax", arg="logits")
    return _softmax(logits, _temperature(temperature, "softmax"))


def _softmax(logits, temperature):
    scaled = logits / temperature
    scaled = np.exp(scaled - scaled.max(axis=-1, keepdims=True))   # the largest becomes exp(0) = 1: no overflow
    return scaled / scaled.sum(axis=-1, keepdims=True)


class LossAndGradients(NamedTuple):
    """What `charlm_loss` returns: the loss in bits per character, the gradients (name -> array, the parameters'
    names; of the loss in nats, the mean cross-entropy that training minimises), and the state (h, c) at the last
    step, each (B, H): where the next chunk starts."""

    bits: float
    grads: dict
    h: np.ndarray
    c: np.ndarray


def charlm_loss(params, inputs, targets, h0=None, c0=None) -> LossAndGradients:
    """One chunk of training: forward, readout, loss, and the backward pass through the chunk (truncated BPTT).

    inputs, targets: (T, B) ids (targets[t] is the character after inputs[t]);  h0, c0: (B, H), the state the
    previous chunk ended in (zeros if None). The gradient does not flow back into h0 and c0: truncation.
    """
    params, inputs, h0, c0 = _check("charlm_loss", params, inputs, h0, c0)
    targets = _ids(targets, params["W_y"].shape[0], "charlm_loss", "targets")
    if targets.shape != inputs.shape:
        raise LSTMInputError(f"charlm_loss: argument 'targets' should have the shape of 'inputs', {inputs.shape}, "
                             f"but got shape {targets.shape}")
    return _charlm_loss(params, inputs, targets, h0, c0)


def _charlm_loss(params, inputs, targets, h0, c0) -> LossAndGradients:
    logits, trace = _charlm_forward(params, inputs, h0, c0)
    nats, dlogits = _cross_entropy(logits, targets, np.ones(targets.shape, bool))   # mean -ln p, and p - one_hot
    dW_y, db_y, dh = unchecked(readout_backward)(trace.h, params["W_y"], dlogits)
    if "W_hh" in params:                                                            # the plain RNN (chapter 14)
        grads = {k: v for k, v in _rnn_backward(inputs, params, trace.h, dh, h0)._asdict().items()
                 if k in params}
    else:
        grads = _backward(inputs, params, trace, dh, h0, c0).params()              # through the chunk, no further
    grads.update(W_y=dW_y, b_y=db_y)
    return LossAndGradients(nats / math.log(2), grads, trace.h[-1].copy(), trace.c[-1].copy())


def evaluate_bits(params, inputs, targets, seq_len: int = 100) -> float:
    """Bits per character on a text read as streams (inputs, targets (L, B) from `lstm_book.text.streams`), in
    chunks of seq_len steps with the state carried from chunk to chunk, as in training: the mean of -log2 p."""
    params, inputs, h, c = _check("evaluate_bits", params, inputs, None, None)
    targets = _ids(targets, params["W_y"].shape[0], "evaluate_bits", "targets")
    if targets.shape != inputs.shape:
        raise LSTMInputError(f"evaluate_bits: argument 'targets' should have the shape of 'inputs', "
                             f"{inputs.shape}, but got shape {targets.shape}")
    T = check_integer(seq_len, func="evaluate_bits", arg="seq_len", low=1, high=10**8)
    return _evaluate_bits(params, inputs, targets, T)


def _evaluate_bits(params, inputs, targets, T) -> float:
    B, H = inputs.shape[1], params["W_y"].shape[1]
    h = c = np.zeros((B, H), params["W_y"].dtype)
    total = 0.0
    for start in range(0, len(inputs), T):
        logits, trace = _charlm_forward(params, inputs[start:start + T], h, c)
        piece = targets[start:start + T]
        nats, _ = _cross_entropy(logits, piece, np.ones(piece.shape, bool))
        total += nats * piece.size
        h, c = trace.h[-1], trace.c[-1]                             # carried into the next chunk
    return total / targets.size / math.log(2)


def mulberry32(seed: int, n: int) -> np.ndarray:
    """n uniform numbers in [0, 1) from a 32-bit seed: the generator `sample` draws with (mulberry32, T. Ettinger).

    Its state is a counter: the k-th number (k = 1 … n) mixes a_k = seed + k·0x6D2B79F5 (mod 2^32) with a few
    shifts, xors and products mod 2^32, and divides the 32-bit result by 2^32, exactly. Integer operations only, so
    any language gives the same numbers: the website's sampler (lstm_book/teaching/web/mirror.js) draws these.
    seed: an integer in [0, 2^32);  n >= 0.  Returns (n,) float64.
    """
    seed = check_integer(seed, func="mulberry32", arg="seed", low=0, high=_M)
    n = check_integer(n, func="mulberry32", arg="n", low=0, high=10**8)
    return _mulberry32(seed, n)


_M = 0xFFFFFFFF                                                   # arithmetic mod 2^32: keep the low 32 bits


def _mulberry32(seed: int, n: int) -> np.ndarray:
    a = (seed + 0x6D2B79F5 * np.arange(1, n + 1, dtype=np.uint64)) & _M      # the counter, k = 1 … n
    t = ((a ^ (a >> 15)) * (a | 1)) & _M                                     # a product mod 2^32 (Math.imul)
    t = ((t + (((t ^ (t >> 7)) * (t | 61)) & _M)) & _M) ^ t
    return ((t ^ (t >> 14)) & _M) / 4294967296


def sample(params, vocabulary: Vocabulary, length: int, *, temperature: float = 1.0, seed: int = 0,
           prompt: str = "\n") -> str:
    """`length` characters written by the model, one at a time: read the prompt, then repeatedly draw the next
    character from softmax(y_t / τ) and feed it back in. The draw: u, the next of `mulberry32(seed, length)`, then
    the first character whose cumulative probability exceeds u (the same seed, the same text). It computes in
    float64 (float32 weights are widened), as the website's sampler does: the two write the same text.
    seed: an integer in [0, 2^32).
    """
    params = _params(params, "sample")
    if not isinstance(vocabulary, Vocabulary) or vocabulary.size != params["W_y"].shape[0]:
        raise LSTMInputError(f"sample: argument 'vocabulary' should be the Vocabulary of the model's "
                             f"{params['W_y'].shape[0]} characters, but got {vocabulary!r:.60}")
    length = check_integer(length, func="sample", arg="length", low=0, high=1_000_000)
    temperature = _temperature(temperature, "sample")
    seed = check_integer(seed, func="sample", arg="seed", low=0, high=_M)
    if not isinstance(prompt, str) or not prompt:
        raise LSTMInputError(f"sample: argument 'prompt' should be a non-empty string, but got {prompt!r:.60}")
    return _sample(params, vocabulary, length, temperature, seed, prompt)


def _sample(params, vocabulary, length, temperature, seed, prompt) -> str:
    params = {name: array.astype(np.float64) for name, array in params.items()}      # float64 throughout
    halved = None if "W_hh" in params else _halved(params, np.float64, ids=True)  # the LSTM's weights, made once

    def states(ids, h, c):                                          # the cell over ids: the same loop as training
        return _states(params, ids, h, c) if halved is None else _run(ids, halved, h, c)

    h = c = np.zeros((1, params["W_y"].shape[1]))
    ids, draws, out = vocabulary.encode(prompt), _mulberry32(seed, length), []
    if len(ids) > 1:                                                # read the prompt, all but its last character
        trace = states(ids[:-1, None], h, c)
        h, c = trace.h[-1], trace.c[-1]
    k = ids[-1]
    for u in draws:
        trace = states(np.array([[k]]), h, c)
        h, c = trace.h[0], trace.c[0]
        scores = (h[0] @ params["W_y"].T + params["b_y"]) / temperature
        weights = np.exp(scores - scores.max())                     # softmax(y/τ) times a constant (no division)
        cumulative = np.cumsum(weights)                             # summed left to right
        k = min(int(np.searchsorted(cumulative, u * cumulative[-1], side="right")), len(weights) - 1)
        out.append(k)
    return vocabulary.decode(np.array(out, dtype=np.int64)) if out else ""


class CharLMRun(NamedTuple):
    """What `train_charlm` returns: the parameters after the last update; the learning curve, one row per
    evaluation (update, characters read, training bits per character averaged since the last row, validation
    bits per character, seconds); the checkpoints {update: parameters}; the training time in seconds."""

    params: Params
    curve: list
    checkpoints: dict
    seconds: float


def train_charlm(train_ids, validation_ids, vocab_size: int, *, hidden_size: int, batch_size: int = 32,
                 seq_len: int = 100, updates: int, learning_rate: float = 2e-3, clip: float = 5.0, seed: int = 0,
                 eval_every: int = 200, checkpoints=(), progress: bool = True, cell: str = "lstm") -> CharLMRun:
    """Train a language model with truncated BPTT, Adam and clipping (`charlm_loss`, `lstm_book.adam.Adam`,
    `lstm_book.gradients.clip_by_global_norm`), from `init_charlm(vocab_size, hidden_size, seed)`.

    The training text is read as `batch_size` streams, `seq_len` characters per update, the state carried from one
    chunk to the next; at the end of the text every stream starts again from zeros. Nothing else is random: the
    seed and these arguments fix the run. Every `eval_every` updates the validation text is scored
    (`evaluate_bits`, 16 streams). checkpoints: the updates after which to keep a copy of the parameters.
    cell: "lstm", or "rnn" for the plain RNN trained the same way (chapter 14).
    """
    V = check_integer(vocab_size, func="train_charlm", arg="vocab_size", low=2, high=10_000)
    train_ids = _ids(train_ids, V, "train_charlm", "train_ids", ndim=1)
    validation_ids = _ids(validation_ids, V, "train_charlm", "validation_ids", ndim=1)
    B = check_integer(batch_size, func="train_charlm", arg="batch_size", low=1, high=100_000)
    T = check_integer(seq_len, func="train_charlm", arg="seq_len", low=1, high=100_000)
    steps = check_integer(updates, func="train_charlm", arg="updates", low=1, high=10**8)
    every = check_integer(eval_every, func="train_charlm", arg="eval_every", low=1, high=10**8)
    for name, value in (("learning_rate", learning_rate), ("clip", clip)):
        if check_number(value, func="train_charlm", arg=name) <= 0:
            raise LSTMInputError(f"train_charlm: argument '{name}' should be a number > 0, but got {value!r}")
    try:
        keep = sorted({check_integer(k, func="train_charlm", arg="checkpoints", low=0, high=steps)
                       for k in checkpoints})
    except TypeError:
        raise LSTMInputError(f"train_charlm: argument 'checkpoints' should be a list of update numbers, but got "
                             f"{checkpoints!r:.60}") from None
    if not isinstance(progress, bool):
        raise LSTMInputError(f"train_charlm: argument 'progress' should be True or False, but got {progress!r:.60}")
    cell = _cell(cell, "train_charlm")
    params, layout = dict(init_charlm(V, hidden_size, seed, cell)), LAYOUTS[cell]
    inputs, targets = streams(train_ids, B)
    if len(inputs) < T:
        raise LSTMInputError(f"train_charlm: argument 'train_ids' is too short for {B} streams of seq_len={T}")
    valid = streams(validation_ids, min(16, max(1, (len(validation_ids) - 1) // 2)))
    adam = Adam(learning_rate)
    chunks = len(inputs) // T
    H = hidden_size
    h = c = np.zeros((B, H), np.float32)
    curve, kept, recent = [], {}, []
    if 0 in keep:
        kept[0] = Params(params, layout, func="train_charlm")
    bar = _progress(steps, f"char-{cell.upper()} H={H}", progress)
    start = time.perf_counter()
    for update in range(1, steps + 1):
        k = (update - 1) % chunks
        if k == 0:                                                  # the start of the text: every stream from zero
            h = c = np.zeros((B, H), np.float32)
        piece = slice(k * T, (k + 1) * T)
        bits, grads, h, c = _charlm_loss(params, inputs[piece], targets[piece], h, c)
        grads, _ = _clip_by_global_norm(grads, clip)
        params = adam._step(params, grads)
        recent.append(bits)
        if update in keep:
            kept[update] = Params(params, layout, func="train_charlm")
        if update % every == 0 or update == steps:
            valid_bits = _evaluate_bits(params, *valid, T)
            curve.append((update, update * B * T, float(np.mean(recent)), valid_bits, time.perf_counter() - start))
            recent = []
            if bar is not None:
                bar.set_postfix(train=f"{curve[-1][2]:.3f}", valid=f"{valid_bits:.3f}", refresh=False)
        if bar is not None and update % 5 == 0:
            bar.update(update - bar.n)
    if bar is not None:
        bar.update(steps - bar.n)
        bar.close()
    return CharLMRun(Params(params, layout, func="train_charlm"), curve, kept, time.perf_counter() - start)


def _params(params, func: str) -> Params:
    """A language model's parameters: the LSTM's twelve with D = V (or the plain RNN's three), then W_y (V, H),
    b_y (V,)."""
    params = as_params(params, LAYOUTS["rnn" if isinstance(params, Mapping) and "W_hh" in params else "lstm"],
                       func=func)
    if params.sizes["D"] != params.sizes["K"]:
        raise LSTMInputError(f"{func}: argument 'params' should read and predict the same V characters (D = K), "
                             f"but has D={params.sizes['D']}, K={params.sizes['K']}")
    return params


def _check(func: str, params, inputs, h0, c0):
    """params (see `_params`); inputs: (T, B) ids in [0, V); h0, c0: (B, H) finite, zeros of the params' dtype if
    None."""
    params = _params(params, func)
    V, H = params.sizes["D"], params.sizes["H"]
    inputs = _ids(inputs, V, func, "inputs", ndim=2)
    dtype = np.result_type(*params.values())
    states = []
    for name, value in (("h0", h0), ("c0", c0)):
        if value is None:
            value = np.zeros((inputs.shape[1], H), dtype)
        value = as_float_array(value, func=func, arg=name)
        if value.shape != (inputs.shape[1], H):
            raise LSTMInputError(f"{func}: argument '{name}' should have shape (B={inputs.shape[1]}, H={H}), "
                                 f"but got shape {value.shape}")
        check_finite(value, func=func, arg=name)
        states.append(value.astype(dtype, copy=False))
    return params, inputs, *states


def _cell(cell, func: str) -> str:
    if not isinstance(cell, str) or cell not in LAYOUTS:
        raise LSTMInputError(f"{func}: argument 'cell' should be 'lstm' or 'rnn', but got {cell!r:.60}")
    return cell


def _temperature(value, func: str) -> float:
    value = check_number(value, func=func, arg="temperature")
    if not 1e-3 <= value <= 1e3:
        raise LSTMInputError(f"{func}: argument 'temperature' should be a number in [0.001, 1000], but got {value!r}")
    return value
