"""How far back a prediction looks (chapter 14): the gradient of one prediction with respect to every earlier input.

A language model (`lstm_book.charlm`) reads characters k_1 … k_T, x_s = one_hot(k_s), and at the last step predicts
the next character k. Its log-probability, ln p_T[k], depends on every input read so far; the gradient

    g_s = ∂ ln p_T[k] / ∂ x_s     (V,) for s = 1 … T, at distance d = T − s back

says how much a change of the character at step s would move the prediction. Backpropagation computes all of them
in one backward pass. For the LSTM it is split, as in chapter 9, into two paths that add up to g_s exactly:

* the MEMORY path: the error enters c_T from h_T and travels back along the memory only, c_T → c_{T−1} → … → c_s
  (one forget gate per step), then into the parts i, j, f of step s and so to x_s. It is the gradient the same
  backward pass gives when the error that the gates of each step send back to h_{t−1} is dropped: the backward
  pass run with the recurrent weights W_h set to zero, and W_xo too (the output gate o_T is not on the memory);
  the forward pass, and every gate's value, unchanged;
* the HIDDEN path: everything else, g_s − memory_s: every path that leaves the memory at least once through a
  hidden state h_t (into the gates of step t + 1), and, at d = 0, the path through the output gate o_T.

The hidden path is itself a sum. Each of a path's d steps back goes either along the memory (c_t → c_{t−1}) or
through a hidden state (from step t's gates to h_{t−1}). NO_MEMORY is the part of g_s whose every step goes
through a hidden state, never along the memory, as in a plain RNN: the backward pass run step by step
(`lstm_step_backward`) with the memory's error from c_{t+1} dropped at every step. For d ≥ 1 the three parts
memory, no_memory and the rest (mixed: some steps of each kind) add up to g_s; at d = 0 no step is taken and
no_memory is all of g_T. The plain RNN (`init_charlm(..., cell="rnn")`) has only the hidden path: its memory part
is zero and its no_memory part is all of g.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .backward import _backward, _step_backward
from .cell import PARTS, Step
from .charlm import _charlm_forward, _check, _softmax
from .losses import readout_backward
from .rnn import _rnn_backward
from .text import _ids
from .validation import LSTMInputError, unchecked

__all__ = ["InputGradients", "input_gradients"]


class InputGradients(NamedTuple):
    """What `input_gradients` returns, each (T, B, V): total[s] = ∂ ln p_T[k] / ∂ x_s; memory[s], the part of it
    that travelled along the memory path only (zeros for the plain RNN), so total − memory is the hidden path; and
    no_memory[s], the part that never took a step along the memory (all of total for the plain RNN)."""

    total: np.ndarray
    memory: np.ndarray
    no_memory: np.ndarray


def input_gradients(params, inputs, targets, h0=None, c0=None) -> InputGradients:
    """The gradient of the last step's prediction, ln p_T[targets], with respect to every input x_s, and its memory
    path.

    params: a language model's (`lstm_book.charlm.init_charlm`, LSTM or plain RNN);  inputs: (T, B) character ids;
    targets: (B,) the character that follows each stream's last input;  h0, c0: (B, H), the state the streams start
    from (zeros if None; the gradient stops there).  Returns `InputGradients`, each (T, B, V).
    """
    params, inputs, h0, c0 = _check("input_gradients", params, inputs, h0, c0)
    targets = _ids(targets, params["W_y"].shape[0], "input_gradients", "targets", ndim=1)
    if targets.shape != inputs.shape[1:]:
        raise LSTMInputError(f"input_gradients: argument 'targets' should have shape (B={inputs.shape[1]},), one "
                             f"character per stream, but got shape {targets.shape}")
    return _input_gradients(params, inputs, targets, h0, c0)


def _input_gradients(params, inputs, targets, h0, c0) -> InputGradients:
    T, B = inputs.shape
    logits, trace = _charlm_forward(params, inputs, h0, c0)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = -_softmax(logits[-1], 1.0)                      # ∂ ln p[k] / ∂ y = one_hot(k) − p, last step only
    dlogits[-1, np.arange(B), targets] += 1
    dh = unchecked(readout_backward)(trace.h, params["W_y"], dlogits)[2]
    xs = np.eye(params["W_y"].shape[0], dtype=dh.dtype)[inputs]  # the one-hot inputs (T, B, V): their gradient
    if "W_hh" in params:                                          # the plain RNN: every path goes through h
        total = _rnn_backward(xs, params, trace.h, dh, h0).xs
        return InputGradients(total, np.zeros_like(total), total)
    total = _backward(xs, params, trace, dh, h0, c0).xs
    # The memory path: no error goes back to any h_{t-1} (W_h = 0), and none reaches x_T through o_T (W_xo = 0:
    # only the last step's output gate receives any error once nothing comes back through h)
    cut = {f"W_h{g}" for g in PARTS} | {"W_xo"}
    memory_only = {k: np.zeros_like(v) if k in cut else v for k, v in params.items()}
    memory = _backward(xs, memory_only, trace, dh, h0, c0).xs
    # No step along the memory: one step back at a time, as chapter 8 wrote it, with nothing from c_{t+1}
    h_prev, c_prev = np.concatenate([h0[None], trace.h[:-1]]), np.concatenate([c0[None], trace.c[:-1]])
    no_memory, dh_t, nothing = np.empty_like(total), dh[-1], np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        step = _step_backward(dh_t, nothing, xs[t], h_prev[t], c_prev[t], Step(*(a[t] for a in trace)), params)
        no_memory[t], dh_t = step.x_t, step.h_prev                # the loss has no error at h_t for t < T
    return InputGradients(total, memory, no_memory)
